using System.Diagnostics;
using Microsoft.Extensions.AI;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Core.Prompting;

/// <param name="Answer">The model's answer, or null when no LLM is configured.</param>
/// <param name="Llm">"ok" or "not configured".</param>
public sealed record AskOutcome(string? Answer, string Llm, string? Model, AugmentedPrompt Prompt, SearchOutcome Retrieval, double LlmMilliseconds);

/// <summary>The LLM endpoint failed or timed out; the retrieved sources are still valid.</summary>
public sealed class LlmUnavailableException(string message, bool timedOut, Exception? inner = null) : Exception(message, inner)
{
    public bool TimedOut { get; } = timedOut;
}

/// <summary>Retrieve, build the augmented prompt, and ask the LLM when one is configured.</summary>
public sealed class AskService(SearchService search, IChatClient? chat = null, string? model = null)
{
    public bool LlmConfigured => chat is not null;

    public async Task<AskOutcome> AskAsync(CollectionInfo collection, SearchQuery query, CancellationToken ct)
    {
        var retrieval = await search.SearchAsync(collection, query, ct);
        var prompt = PromptBuilder.Build(query.Query, retrieval.Hits);
        if (chat is null)
        {
            return new AskOutcome(null, "not configured", null, prompt, retrieval, 0);
        }

        var sw = Stopwatch.StartNew();
        ChatResponse response;
        try
        {
            response = await chat.GetResponseAsync(
                [new ChatMessage(ChatRole.System, prompt.System), new ChatMessage(ChatRole.User, prompt.User)],
                new ChatOptions { ModelId = model, Temperature = 0.1f },
                ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw e is LlmUnavailableException ? e : new LlmUnavailableException($"the LLM endpoint failed: {e.Message}", e is TimeoutException or OperationCanceledException, e);
        }

        return new AskOutcome(response.Text, "ok", response.ModelId ?? model, prompt, retrieval, sw.Elapsed.TotalMilliseconds);
    }
}
