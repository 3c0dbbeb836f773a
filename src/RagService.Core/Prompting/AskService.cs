using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagService.Core.Diagnostics;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Prompting;

/// <param name="Answer">The model's answer, the "not found" answer, or null when no LLM is configured.</param>
/// <param name="Llm">"ok", "not configured" or "skipped" (nothing relevant enough was retrieved).</param>
public sealed record AskOutcome(string? Answer, string Llm, string? Model, AugmentedPrompt Prompt, SearchOutcome Retrieval, double LlmMilliseconds);

/// <summary>The LLM endpoint failed or timed out; the retrieved sources are still valid.</summary>
public sealed class LlmUnavailableException(string message, bool timedOut, Exception? inner = null) : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>Retrieve, build the augmented prompt, and ask the LLM when one is configured and the sources are relevant enough.</summary>
public sealed class AskService(SearchService search, IAnswerPromptRenderer prompts, IChatClient? chat = null, string? model = null, RetrievalOptions? options = null)
{
    public const string NotFoundChinese = "根据现有资料，无法回答这个问题。";
    public const string NotFoundEnglish = "The available documents do not contain the answer to this question.";

    private readonly RetrievalOptions _options = options ?? new RetrievalOptions();

    public bool LlmConfigured => chat is not null;

    public async Task<AskOutcome> AskAsync(CollectionInfo collection, SearchQuery query, CancellationToken ct)
    {
        var (retrieval, prompt, notFound) = await RetrieveAsync(collection, query, ct);
        if (notFound is not null)
        {
            return new AskOutcome(notFound, "skipped", null, prompt, retrieval, 0);
        }

        if (chat is null)
        {
            return new AskOutcome(null, "not configured", null, prompt, retrieval, 0);
        }

        var sw = Stopwatch.StartNew();
        try
        {
            var response = await chat.GetResponseAsync(Messages(prompt), new ChatOptions { ModelId = model, Temperature = 0.1f }, ct);
            RagTelemetry.RecordStages([new StageReport("llm", "ok", 0, sw.Elapsed.TotalMilliseconds)], DateTimeOffset.UtcNow - sw.Elapsed);
            return new AskOutcome(response.Text, "ok", response.ModelId ?? model, prompt, retrieval, sw.Elapsed.TotalMilliseconds);
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
    public async Task<(AskOutcome Start, IAsyncEnumerable<string> Tokens)> StreamAsync(CollectionInfo collection, SearchQuery query, CancellationToken ct)
    {
        var (retrieval, prompt, notFound) = await RetrieveAsync(collection, query, ct);
        if (notFound is not null)
        {
            return (new AskOutcome(notFound, "skipped", null, prompt, retrieval, 0), One(notFound));
        }

        if (chat is null)
        {
            return (new AskOutcome(null, "not configured", null, prompt, retrieval, 0), Empty());
        }

        return (new AskOutcome(null, "ok", model, prompt, retrieval, 0), Tokens(prompt, ct));
    }

    private async IAsyncEnumerable<string> Tokens(AugmentedPrompt prompt, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var update in chat!.GetStreamingResponseAsync(Messages(prompt), new ChatOptions { ModelId = model, Temperature = 0.1f }, ct))
        {
            if (!string.IsNullOrEmpty(update.Text))
            {
                yield return update.Text;
            }
        }
    }

    private async Task<(SearchOutcome Retrieval, AugmentedPrompt Prompt, string? NotFound)> RetrieveAsync(CollectionInfo collection, SearchQuery query, CancellationToken ct)
    {
        var retrieval = await search.SearchAsync(collection, query, ct);
        var prompt = await prompts.RenderAsync(query.Query, retrieval.Hits, ct);
        return (retrieval, prompt, IsBelowFloor(retrieval) ? NotFound(query.Query) : null);
    }

    private bool IsBelowFloor(SearchOutcome retrieval)
    {
        if (retrieval.Hits.Count == 0 || retrieval.NothingSpecificMatched)
        {
            return true;
        }

        return _options.RelevanceFloor is { } floor && retrieval.Hits[0].Provenance.RerankScore is { } best && best < floor;
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
