using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using RagService.Core.Resilience;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;

namespace RagService.Llm.Chat;

/// <summary>
/// The service's <see cref="IChatClient"/>: chat completion through Semantic Kernel's OpenAI connector against any
/// OpenAI-compatible endpoint, with the time limits SK does not have (per attempt, first token, idle between tokens),
/// retries before the first token only and a circuit breaker (<see cref="LlmAttempts"/>), and failures as sanitised
/// <see cref="Core.Prompting.LlmUnavailableException"/>s.
/// </summary>
public sealed class SemanticKernelChatClient : IChatClient
{
    private readonly LlmOptions _options;
    private readonly HttpClient _http;
    private readonly IChatCompletionService _completion;
    private readonly LlmAttempts _attempts;
    private readonly DependencyCircuit? _ownCircuit;

    /// <param name="circuit">The "llm" circuit shared with readiness (<see cref="LlmCircuit"/>); null = one of its own.</param>
    public SemanticKernelChatClient(LlmOptions options, DependencyCircuit? circuit = null)
    {
        options.Validate();
        _options = options;
        // Our own time limits apply, so the HttpClient has none; with an HttpClient given, SK turns the SDK's retries off.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        // The custom-endpoint constructor is what makes one configuration cover OpenAI, Azure OpenAI v1, Ollama and vLLM;
        // SK marks it experimental (SKEXP0010).
#pragma warning disable SKEXP0010
        _completion = new OpenAIChatCompletionService(options.Model, new Uri(options.Url!), string.IsNullOrEmpty(options.ApiKey) ? "none" : options.ApiKey, httpClient: _http);
#pragma warning restore SKEXP0010
        _ownCircuit = circuit is null ? LlmCircuit.Create(options) : null;
        _attempts = new LlmAttempts(circuit ?? _ownCircuit!);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var history = History(messages);
        var settings = Settings(options);
        var result = await _attempts.RunAsync(async cts =>
        {
            using (cts)
            {
                return await _completion.GetChatMessageContentAsync(history, settings, kernel: null, cts.Token);
            }
        }, _options.AttemptTimeout, "did not answer within", cancellationToken);
        return new ChatResponse(new AiChatMessage(AiChatRole.Assistant, result.Content ?? "")) { ModelId = result.ModelId ?? _options.Model, Usage = Usage(result.Metadata),
            FinishReason = FinishReason(result.Metadata) };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var history = History(messages);
        var settings = Settings(options);
        var (stream, first, streamCts) = await _attempts.RunAsync(cts => OpenStreamAsync(history, settings, cts), _options.FirstTokenTimeout, "sent no first token within", cancellationToken);
        using (streamCts)
        await using (stream)
        {
            if (first is null)
            {
                yield break;
            }

            streamCts.CancelAfter(Timeout.InfiniteTimeSpan); // the idle limit runs only while we wait for the endpoint
            yield return first;
            while (true)
            {
                // After the first token nothing is retried (the caller has seen part of the answer): a silence longer
                // than the idle limit ends the stream with a timeout.
                streamCts.CancelAfter(_options.StreamIdleTimeout);
                ChatResponseUpdate? next;
                try
                {
                    next = await NextTextAsync(stream);
                    streamCts.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw streamCts.IsCancellationRequested ? LlmFailure.Timeout("stopped sending for", _options.StreamIdleTimeout) : LlmFailure.Describe(e);
                }

                if (next is null)
                {
                    yield break;
                }

                yield return next;
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        _http.Dispose();
        _ownCircuit?.Dispose();
    }

    private async Task<(IAsyncEnumerator<StreamingChatMessageContent> Stream, ChatResponseUpdate? First, CancellationTokenSource Cts)> OpenStreamAsync(
        ChatHistory history, OpenAIPromptExecutionSettings settings, CancellationTokenSource cts)
    {
        var stream = _completion.GetStreamingChatMessageContentsAsync(history, settings, kernel: null, cts.Token).GetAsyncEnumerator(cts.Token);
        try
        {
            return (stream, await NextTextAsync(stream), cts);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The next update that carries text, or the endpoint's token counts or finish reason (role-only and empty updates
    /// are skipped), or null at the end.
    /// </summary>
    private static async Task<ChatResponseUpdate?> NextTextAsync(IAsyncEnumerator<StreamingChatMessageContent> stream)
    {
        while (await stream.MoveNextAsync())
        {
            if (!string.IsNullOrEmpty(stream.Current.Content))
            {
                return new ChatResponseUpdate(AiChatRole.Assistant, stream.Current.Content) { ModelId = stream.Current.ModelId };
            }

            var usage = Usage(stream.Current.Metadata);
            var finish = FinishReason(stream.Current.Metadata);
            if (usage is not null || finish is not null)
            {
                return new ChatResponseUpdate(AiChatRole.Assistant, usage is null ? [] : [new UsageContent(usage)]) { ModelId = stream.Current.ModelId, FinishReason = finish };
            }
        }

        return null;
    }

    /// <summary>The finish reason SK's OpenAI connector puts in a message's metadata ("Stop", "Length", ...), when the endpoint sent one.</summary>
    private static ChatFinishReason? FinishReason(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata is not null && metadata.TryGetValue("FinishReason", out var value) && value?.ToString() is { Length: > 0 } reason
            ? new ChatFinishReason(reason.ToLowerInvariant())
            : null;

    /// <summary>The token counts SK's OpenAI connector puts in a message's metadata, when the endpoint sent them.</summary>
    private static UsageDetails? Usage(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata is not null && metadata.TryGetValue("Usage", out var value) && value is OpenAI.Chat.ChatTokenUsage u
            ? new UsageDetails { InputTokenCount = u.InputTokenCount, OutputTokenCount = u.OutputTokenCount, TotalTokenCount = u.TotalTokenCount }
            : null;

    private OpenAIPromptExecutionSettings Settings(ChatOptions? options) => new()
    {
        ModelId = options?.ModelId ?? _options.Model,
        Temperature = options?.Temperature ?? 0.1f,
        MaxTokens = options?.MaxOutputTokens,
    };

    private static ChatHistory History(IEnumerable<AiChatMessage> messages)
    {
        var history = new ChatHistory();
        foreach (var m in messages)
        {
            history.AddMessage(m.Role == AiChatRole.System ? AuthorRole.System : m.Role == AiChatRole.Assistant ? AuthorRole.Assistant : AuthorRole.User, m.Text);
        }

        return history;
    }
}
