using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagService.Core.Context;
using RagService.Core.Conversation;
using RagService.Core.Diagnostics;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Text;

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
}

/// <summary>The LLM endpoint failed or timed out; the retrieved sources are still valid.</summary>
public sealed class LlmUnavailableException(string message, bool timedOut, Exception? inner = null) : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>
/// Rewrite a follow-up into a standalone question (when earlier turns come with it), retrieve, assemble the sources
/// within the token budget (<see cref="ContextAssembler"/>), build the augmented prompt, and ask the LLM when one is
/// configured and the sources are relevant enough.
/// </summary>
/// <param name="context">Assembles the sources, reading neighbours from <paramref name="store"/>.</param>
public sealed class AskService(SearchService search, IAnswerPromptRenderer prompts, AnswerModel llm, RetrievalOptions options,
    QuestionRewriter rewriter, ConversationOptions conversation, ContextAssembler context, IKnowledgeStore store)
{
    public const string NotFoundChinese = "根据现有资料，无法回答这个问题。";
    public const string NotFoundEnglish = "The available documents do not contain the answer to this question.";

    private readonly IChatClient? _chat = llm.Chat;
    private readonly string? _model = llm.Model;

    public bool LlmConfigured => _chat is not null;

    /// <param name="history">Earlier turns of the conversation, oldest first (empty for a single question).</param>
    /// <param name="generation">The caller's temperature and output cap for the answer (null = the defaults).</param>
    public async Task<AskOutcome> AskAsync(CollectionInfo collection, SearchQuery query, IReadOnlyList<ConversationTurn> history, CancellationToken ct,
        AnswerGeneration? generation = null)
    {
        var (retrieval, assembled, prompt, notFound, rewrite) = await RetrieveAsync(collection, query, history, ct);
        if (notFound is not null)
        {
            return new AskOutcome(notFound, "skipped", null, prompt, retrieval, 0, rewrite) { Context = assembled };
        }

        if (_chat is null)
        {
            return new AskOutcome(null, "not configured", null, prompt, retrieval, 0, rewrite) { Context = assembled };
        }

        var sw = Stopwatch.StartNew();
        try
        {
            var response = await _chat.GetResponseAsync(Messages(prompt), (generation ?? AnswerGeneration.Default).Options(_model), ct);
            RagTelemetry.RecordStages([new StageReport("llm", "ok", 0, sw.Elapsed.TotalMilliseconds)], DateTimeOffset.UtcNow - sw.Elapsed);
            return new AskOutcome(response.Text, "ok", response.ModelId ?? _model, prompt, retrieval, sw.Elapsed.TotalMilliseconds, rewrite, response.Usage,
                response.FinishReason) { Context = assembled };
        }
        catch (Exception e) when (e is not (OperationCanceledException or LlmUnavailableException))
        {
            // Never the exception's message: it may carry the upstream's body.
            throw new LlmUnavailableException($"the LLM endpoint failed ({e.GetType().Name})", e is TimeoutException, e);
        }
    }

    /// <summary>
    /// Streams the answer: the retrieval outcome first (so sources can be shown at once), then the answer's text pieces.
    /// Cancelling <paramref name="ct"/> (the caller disconnected) cancels the LLM request.
    /// </summary>
    /// <param name="completion">Receives the LLM's token counts and finish reason once the tokens are read to the end, when it reports them.</param>
    public async Task<(AskOutcome Start, IAsyncEnumerable<string> Tokens)> StreamAsync(CollectionInfo collection, SearchQuery query,
        IReadOnlyList<ConversationTurn> history, CancellationToken ct, AnswerGeneration? generation = null, StreamedCompletion? completion = null)
    {
        var (retrieval, assembled, prompt, notFound, rewrite) = await RetrieveAsync(collection, query, history, ct);
        if (notFound is not null)
        {
            return (new AskOutcome(notFound, "skipped", null, prompt, retrieval, 0, rewrite) { Context = assembled }, One(notFound));
        }

        if (_chat is null)
        {
            return (new AskOutcome(null, "not configured", null, prompt, retrieval, 0, rewrite) { Context = assembled }, Empty());
        }

        return (new AskOutcome(null, "ok", _model, prompt, retrieval, 0, rewrite) { Context = assembled }, Tokens(prompt, generation ?? AnswerGeneration.Default, completion, ct));
    }

    private async IAsyncEnumerable<string> Tokens(AugmentedPrompt prompt, AnswerGeneration generation, StreamedCompletion? completion,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var update in _chat!.GetStreamingResponseAsync(Messages(prompt), generation.Options(_model), ct))
        {
            if (completion is not null && update.Contents.OfType<UsageContent>().FirstOrDefault() is { } counts)
            {
                completion.Usage = counts.Details;
            }

            if (completion is not null && update.FinishReason is { } finish)
            {
                completion.FinishReason = finish;
            }

            if (!string.IsNullOrEmpty(update.Text))
            {
                yield return update.Text;
            }
        }
    }

    /// <summary>
    /// With history, retrieval runs on the standalone question (or the fallback); the answer prompt keeps the question as
    /// asked with a bounded tail of the history, and its numbered sources are this turn's hits only.
    /// </summary>
    private async Task<(SearchOutcome Retrieval, AssembledContext Context, AugmentedPrompt Prompt, string? NotFound, QuestionRewrite? Rewrite)> RetrieveAsync(
        CollectionInfo collection, SearchQuery query, IReadOnlyList<ConversationTurn> history, CancellationToken ct)
    {
        QuestionRewrite? rewrite = null;
        if (history.Count > 0)
        {
            rewrite = await rewriter.RewriteAsync(query.Query, history, ct);
            RagTelemetry.RecordStages([rewrite.Stage], DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(rewrite.Milliseconds));
        }

        var retrieval = await search.SearchAsync(collection, rewrite is null ? query : query with { Query = rewrite.Query }, ct);
        var tail = ConversationTail.Of(history, conversation.PromptHistoryTurns, conversation.PromptHistoryChars);
        var assembled = await AssembleAsync(collection, retrieval.Hits, ct);
        var prompt = await prompts.RenderAsync(query.Query, assembled.Sources, tail, ct);
        return (retrieval, assembled, prompt, IsBelowFloor(retrieval) ? NotFound(query.Query) : null, rewrite);
    }

    /// <summary>The "context" stage, after rerank and the floors: the hits grown, merged and packed into the budget.</summary>
    private async Task<AssembledContext> AssembleAsync(CollectionInfo collection, IReadOnlyList<SearchHit> hits, CancellationToken ct)
    {
        var assembled = await context.AssembleAsync(hits, new StoreChunkNeighbours(store, collection), ct);
        RagTelemetry.RecordStages([assembled.Stage], DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(assembled.Stage.Milliseconds));
        return assembled;
    }

    private bool IsBelowFloor(SearchOutcome retrieval)
    {
        if (retrieval.Hits.Count == 0 || retrieval.NothingSpecificMatched)
        {
            return true;
        }

        return options.RelevanceFloor is { } floor && retrieval.Hits[0].Provenance.RerankScore is { } best && best < floor;
    }

    private static string NotFound(string question) =>
        question.Where((_, i) => MixedScriptAnalyzer.IsCjk(question, i)).Any() ? NotFoundChinese : NotFoundEnglish;

    private static List<ChatMessage> Messages(AugmentedPrompt prompt) =>
        [new ChatMessage(ChatRole.System, prompt.System), new ChatMessage(ChatRole.User, prompt.User)];

    private static async IAsyncEnumerable<string> One(string text)
    {
        await Task.CompletedTask;
        yield return text;
    }

    private static async IAsyncEnumerable<string> Empty()
    {
        await Task.CompletedTask;
        yield break;
    }
}
