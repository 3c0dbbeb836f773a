using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using RagService.Core.Prompting;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatRole = Microsoft.Extensions.AI.ChatRole;

namespace RagService.Llm;

/// <summary>
/// <see cref="IChatClient"/> over the OpenAI SDK, for any OpenAI-compatible endpoint. Each attempt has a timeout;
/// timeouts, 429s and 5xx are retried with backoff (Polly); failures surface as <see cref="LlmUnavailableException"/>.
/// </summary>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    private readonly ChatClient _client;
    private readonly LlmOptions _options;
    private readonly ResiliencePipeline _pipeline;

    public OpenAiCompatibleChatClient(LlmOptions options)
    {
        _options = options;
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(options.Url!),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = Timeout.InfiniteTimeSpan,
        };
        _client = new ChatClient(options.Model, new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "none" : options.ApiKey), clientOptions);
        _pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, options.MaxRetries) is var n && n > 0 ? n : 1,
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && IsTransient(args.Outcome.Exception)),
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(200),
                UseJitter = true,
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var converted = Convert(messages);
        var completionOptions = CompletionOptions(options);
        try
        {
            var result = await _pipeline.ExecuteAsync(
                async token => (await _client.CompleteChatAsync(converted, completionOptions, token)).Value, cancellationToken);
            var text = string.Concat(result.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
            return new ChatResponse(new AiChatMessage(AiChatRole.Assistant, text)) { ModelId = result.Model };
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Wrap(e);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AiChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var converted = Convert(messages);
        var stream = _client.CompleteChatStreamingAsync(converted, CompletionOptions(options), cancellationToken);
        await using var e = stream.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            StreamingChatCompletionUpdate update;
            try
            {
                if (!await e.MoveNextAsync())
                {
                    yield break;
                }

                update = e.Current;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw Wrap(ex);
            }

            foreach (var part in update.ContentUpdate)
            {
                if (!string.IsNullOrEmpty(part.Text))
                {
                    yield return new ChatResponseUpdate(AiChatRole.Assistant, part.Text) { ModelId = update.Model };
                }
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private ChatCompletionOptions CompletionOptions(ChatOptions? options) => new()
    {
        Temperature = options?.Temperature ?? 0.1f,
        MaxOutputTokenCount = options?.MaxOutputTokens,
    };

    private static List<OpenAI.Chat.ChatMessage> Convert(IEnumerable<AiChatMessage> messages) =>
        messages.Select(m => m.Role == AiChatRole.System ? (OpenAI.Chat.ChatMessage)new SystemChatMessage(m.Text)
            : m.Role == AiChatRole.Assistant ? new AssistantChatMessage(m.Text)
            : new UserChatMessage(m.Text)).ToList();

    private static bool IsTransient(Exception? e) => e switch
    {
        TimeoutRejectedException => true,
        ClientResultException c => c.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException => true,
        _ => false,
    };

    private LlmUnavailableException Wrap(Exception e) => e switch
    {
        TimeoutRejectedException => new LlmUnavailableException($"the LLM endpoint did not answer within {_options.AttemptTimeout.TotalSeconds:0.#} s", timedOut: true, e),
        ClientResultException c => new LlmUnavailableException($"the LLM endpoint answered HTTP {c.Status}: {c.Message}", timedOut: false, e),
        _ => new LlmUnavailableException($"the LLM endpoint failed: {e.Message}", timedOut: false, e),
    };
}
