namespace RagService.Llm;

/// <summary>An OpenAI-compatible chat endpoint (OpenAI, Azure OpenAI v1, vLLM, Ollama, llama.cpp server, ...).</summary>
public sealed record LlmOptions
{
    /// <summary>Base URL ending in /v1 (env RAG_LLM_URL); empty = no LLM, ask returns the prompt and passages.</summary>
    public string? Url { get; init; }

    /// <summary>Model name sent with each request (env RAG_LLM_MODEL).</summary>
    public string Model { get; init; } = "gpt-4o-mini";

    /// <summary>API key (env RAG_LLM_KEY); local servers usually accept any value.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Time limit for one attempt.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after a timeout, a 429 or a 5xx.</summary>
    public int MaxRetries { get; init; } = 2;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);
}
