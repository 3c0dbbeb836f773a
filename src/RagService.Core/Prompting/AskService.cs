using Microsoft.Extensions.AI;
using RagService.Core.Context;
using RagService.Core.Conversation;
using RagService.Core.Prompting.Pipeline;
using RagService.Core.Prompting.Stages;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Core.Prompting;

/// <param name="Answer">The model's answer, the "not found" answer, or null when no LLM is configured.</param>
/// <param name="Llm">"ok", "not configured" or "skipped" (nothing relevant enough was retrieved).</param>
/// <param name="Rewrite">What retrieval ran on when the question came with earlier turns; null without history.</param>
/// <param name="Usage">The LLM's token counts for the answer, when it reported them.</param>
/// <param name="FinishReason">Why the LLM stopped (e.g. length: the output cap cut the answer), when it said.</param>
public sealed record AskOutcome(string? Answer, string Llm, string? Model, AugmentedPrompt Prompt, SearchOutcome Retrieval, double LlmMilliseconds,
    QuestionRewrite? Rewrite = null, UsageDetails? Usage = null, ChatFinishReason? FinishReason = null)
{
    /// <summary>The prompt's numbered sources and how they were assembled from the hits (the "context" stage).</summary>
    public AssembledContext Context { get; init; } = AssembledContext.Empty;

    /// <summary>The "llm" entry of the stages array; <paramref name="milliseconds"/> is the caller's (a stream is timed as it is read).</summary>
    public StageReport LlmStage(double milliseconds) => Llm switch
    {
        "ok" => new StageReport("llm", "ok", 0, milliseconds, Model),
        "skipped" => new StageReport("llm", "skipped", 0, 0, Retrieval.NothingSpecificMatched
            ? "no query term specific enough matched (see the floor stage); answered 'not found'"
            : "no source relevant enough (Rag:Retrieval:RelevanceFloor); answered 'not found'"),
        _ => new StageReport("llm", "off", 0, 0, LlmAnswerStage.OffReason),
    };
}

/// <summary>The LLM endpoint failed or timed out; the retrieved sources are still valid.</summary>
public sealed class LlmUnavailableException(string message, bool timedOut, Exception? inner = null) : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>
/// Answers a question from a collection: the ask stages (<see cref="AskPipelineRegistration"/> composes them) rewrite a
/// follow-up, retrieve, assemble the sources within the token budget, build the prompt and judge relevance; then the
/// answer stage asks the LLM, unless nothing relevant enough was retrieved ("not found", llm "skipped") or no LLM is
/// configured (the prompt and sources only, llm "not configured").
/// </summary>
public sealed class AskService(AskPipeline pipeline, IAnswerStage answer)
{
    public const string NotFoundChinese = "根据现有资料，无法回答这个问题。";
    public const string NotFoundEnglish = "The available documents do not contain the answer to this question.";

    public bool LlmConfigured => answer.Configured;

    /// <param name="history">Earlier turns of the conversation, oldest first (empty for a single question).</param>
    /// <param name="generation">The caller's temperature and output cap for the answer (null = the defaults).</param>
    public async Task<AskOutcome> AskAsync(CollectionInfo collection, SearchQuery query, IReadOnlyList<ConversationTurn> history, CancellationToken ct,
        AnswerGeneration? generation = null)
    {
        var context = await PrepareAsync(collection, query, history, ct);
        return context.NotFound is { } notFound
            ? context.Outcome(notFound, "skipped")
            : await answer.AnswerAsync(context, generation ?? AnswerGeneration.Default);
    }

    /// <summary>
    /// Streams the answer: the retrieval outcome first (so sources can be shown at once), then the answer's text pieces.
    /// Cancelling <paramref name="ct"/> (the caller disconnected) cancels the LLM request.
    /// </summary>
    /// <param name="completion">Receives the LLM's token counts and finish reason once the tokens are read to the end, when it reports them.</param>
    public async Task<(AskOutcome Start, IAsyncEnumerable<string> Tokens)> StreamAsync(CollectionInfo collection, SearchQuery query,
        IReadOnlyList<ConversationTurn> history, CancellationToken ct, AnswerGeneration? generation = null, StreamedCompletion? completion = null)
    {
        var context = await PrepareAsync(collection, query, history, ct);
        return context.NotFound is { } notFound
            ? (context.Outcome(notFound, "skipped"), AsyncEnumerable.Repeat(notFound, 1))
            : answer.Stream(context, generation ?? AnswerGeneration.Default, completion);
    }

    /// <summary>
    /// Runs the stages before the LLM. With history, retrieval runs on the standalone question (or the fallback); the
    /// prompt keeps the question as asked with a bounded tail of the history, and its numbered sources are this turn's hits only.
    /// </summary>
    private async Task<AskContext> PrepareAsync(CollectionInfo collection, SearchQuery query, IReadOnlyList<ConversationTurn> history, CancellationToken ct)
    {
        var context = new AskContext(collection, query, history, ct);
        await pipeline.RunAsync(context);
        return context;
    }
}
