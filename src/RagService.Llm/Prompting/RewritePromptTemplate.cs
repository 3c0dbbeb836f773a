using Microsoft.SemanticKernel;
using RagService.Core.Conversation;
using RagService.Core.Prompting;

namespace RagService.Llm.Prompting;

/// <summary>
/// Renders the prompt that turns a follow-up into a standalone question, in the question's language:
/// <c>rewrite.zh.skprompt.txt</c> for a Chinese question, <c>rewrite.skprompt.txt</c> otherwise.
/// </summary>
public sealed class RewritePromptTemplate : IRewritePromptRenderer
{
    private const string English = "rewrite.skprompt.txt";
    private const string Chinese = "rewrite.zh.skprompt.txt";

    private readonly Kernel _kernel = new();
    private readonly IPromptTemplate _english = PromptTemplateFiles.Load(English);
    private readonly IPromptTemplate _chinese = PromptTemplateFiles.Load(Chinese);
    private readonly ConversationBlock _turns = new();

    public async Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<ConversationTurn> history, CancellationToken ct)
    {
        var chinese = AnswerPromptTemplate.IsChinese(question);
        var rendered = await (chinese ? _chinese : _english).RenderAsync(_kernel, new KernelArguments
        {
            ["conversation"] = await _turns.RenderAsync(history, ct),
            ["question"] = PromptField.Text(question.Trim()),
        }, ct);
        var name = chinese ? Chinese : English;
        return new AugmentedPrompt(PromptTemplateFiles.Message(rendered, "system", name), PromptTemplateFiles.Message(rendered, "user", name));
    }
}
