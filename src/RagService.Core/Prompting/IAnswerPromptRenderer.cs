using RagService.Core.Context;
using RagService.Core.Conversation;

namespace RagService.Core.Prompting;

/// <summary>The messages sent to the LLM: instructions, then the numbered sources delimited as data, then the question.</summary>
public sealed record AugmentedPrompt(string System, string User);

/// <summary>
/// Turns a question and its retrieved sources into the prompt. Every field taken from a document must be encoded so
/// that a document cannot close the sources block and smuggle in instructions.
/// </summary>
public interface IAnswerPromptRenderer
{
    /// <param name="sources">The assembled sources (<see cref="Context.ContextAssembler"/>); source n is cited [n].</param>
    Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<ContextSource> sources, CancellationToken ct);

    /// <param name="history">The newest earlier turns to show with the question, oldest first; they are context, never sources.</param>
    Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<ContextSource> sources, IReadOnlyList<ConversationTurn> history, CancellationToken ct);
}
