namespace RagService.Core.Prompting.Pipeline;

/// <summary>
/// The last step of an ask: the LLM writes the answer from the prepared prompt, whole or streamed. Without an LLM it is
/// <see cref="Stages.LlmAnswerStage.Off"/>, which returns the prompt and sources with no answer ("not configured").
/// </summary>
public interface IAnswerStage
{
    /// <summary>Whether an LLM writes answers (false for the null object).</summary>
    bool Configured { get; }

    Task<AskOutcome> AnswerAsync(AskContext context, AnswerGeneration generation);

    /// <summary>The outcome without the answer, then the answer's text pieces as the LLM produces them.</summary>
    /// <param name="completion">Receives the token counts and finish reason once the tokens are read to the end.</param>
    (AskOutcome Start, IAsyncEnumerable<string> Tokens) Stream(AskContext context, AnswerGeneration generation, StreamedCompletion? completion);
}
