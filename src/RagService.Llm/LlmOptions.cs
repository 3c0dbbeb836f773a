using RagService.Core.Resilience;

namespace RagService.Llm;

/// <summary>An OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI v1, vLLM, Ollama, llama.cpp server, ...).</summary>
public sealed record LlmOptions
{
    public const string Section = "Llm";

    /// <summary>Base URL ending in /v1 (env RAG_LLM_URL); empty = no LLM, ask returns the prompt and passages.</summary>
    public string? Url { get; init; }

    /// <summary>Model name sent with each request (env RAG_LLM_MODEL).</summary>
    public string Model { get; init; } = "gpt-4o-mini";

    /// <summary>API key (env RAG_LLM_KEY); local servers usually accept any value.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Time limit for one non-streamed attempt (the whole answer).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time limit, per attempt, until a streamed answer's first token arrives.</summary>
    public TimeSpan FirstTokenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest silence between two tokens of a streamed answer; then the stream ends with a 504 error event.</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a timeout, a 408/429/5xx or a connection failure; a stream is retried only before its first token.</summary>
    public int MaxRetries { get; init; } = 2;

    /// <summary>Median delay before the first retry; doubled for each further one, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>When repeated failures open the circuit, so that asks fail at once (502) instead of waiting out retries.</summary>
    public CircuitBreakerOptions Breaker { get; init; } = new();

    /// <summary>Time limit of the readiness probe (GET {Url}/models).</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a readiness probe result is reused before the endpoint is asked again.</summary>
    public TimeSpan ReadinessCacheTime { get; init; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);

    /// <summary>Throws with a message that names the setting to fix.</summary>
    public void Validate()
    {
        if (!IsConfigured)
        {
            return;
        }

        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Llm:Url (RAG_LLM_URL) must be an absolute http(s) URL ending in /v1, got '{Url}'");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new ArgumentException("Llm:Model (RAG_LLM_MODEL) must not be empty");
        }

        Positive(AttemptTimeout, nameof(AttemptTimeout));
        Positive(FirstTokenTimeout, nameof(FirstTokenTimeout));
        Positive(StreamIdleTimeout, nameof(StreamIdleTimeout));
        Positive(ProbeTimeout, nameof(ProbeTimeout));
        if (MaxRetries is < 0 or > 10)
        {
            throw new ArgumentException($"Llm:MaxRetries must be between 0 and 10, got {MaxRetries}");
        }

        Breaker.Validate(Section);
        if (RetryDelay < TimeSpan.Zero || ReadinessCacheTime < TimeSpan.Zero)
        {
            throw new ArgumentException("Llm:RetryDelay and Llm:ReadinessCacheTime must not be negative");
        }
    }

    /// <summary>The URL with one trailing slash, for relative requests.</summary>
    public Uri BaseUri => new(Url!.TrimEnd('/') + "/");

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Llm:{name} must be a positive time span (e.g. 00:00:30), got {value}");
        }
    }
}
