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
}
