using RagService.Core.Conversation;
using RagService.Core.Retrieval;

namespace RagService.Core.Prompting;

/// <summary>The messages sent to the LLM: instructions, then the numbered sources delimited as data, then the question.</summary>
public sealed record AugmentedPrompt(string System, string User);

/// <summary>
/// Turns a question and its retrieved sources into the prompt. Every field taken from a document must be encoded so
/// that a document cannot close the sources block and smuggle in instructions.
/// </summary>
public interface IAnswerPromptRenderer
{
    Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<SearchHit> sources, CancellationToken ct);

    /// <param name="history">The newest earlier turns to show with the question, oldest first; they are context, never sources.</param>
    Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<SearchHit> sources, IReadOnlyList<ConversationTurn> history, CancellationToken ct);
}
