using System.Text;
using Microsoft.SemanticKernel;
using RagService.Core.Conversation;

namespace RagService.Llm.Prompting;

/// <summary>Renders earlier turns with <c>turn.skprompt.txt</c>, one per turn, each content encoded as data.</summary>
internal sealed class ConversationBlock
{
    private readonly Kernel _kernel = new();
    private readonly IPromptTemplate _turn = PromptTemplateFiles.Load("turn.skprompt.txt");

    public async Task<string> RenderAsync(IReadOnlyList<ConversationTurn> history, CancellationToken ct)
    {
        var block = new StringBuilder();
        foreach (var turn in history)
        {
            var rendered = await _turn.RenderAsync(_kernel, new KernelArguments
            {
                ["role"] = turn.Role switch
                {
                    ConversationRole.User => "user",
                    ConversationRole.Assistant => "assistant",
                    _ => "caller-system",
                },
                ["content"] = PromptField.Text(turn.Content.Trim()),
            }, ct);
            block.Append(rendered.TrimEnd('\r', '\n')).Append('\n');
        }

        return block.ToString();
    }
}
