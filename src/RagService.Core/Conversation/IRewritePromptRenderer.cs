using RagService.Core.Prompting;

namespace RagService.Core.Conversation;

/// <summary>
/// Turns a follow-up question and the newest turns before it into the prompt that asks an LLM for a standalone
/// question. The turns are caller text: they must be encoded as data, like sources in the answer prompt.
/// </summary>
public interface IRewritePromptRenderer
{
    Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<ConversationTurn> history, CancellationToken ct);
}
