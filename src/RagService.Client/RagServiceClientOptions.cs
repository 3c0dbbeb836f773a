namespace RagService.Client;

/// <summary>Where the service is and how patiently to talk to it.</summary>
public sealed record RagServiceClientOptions
{
    /// <summary>The service's root, e.g. http://127.0.0.1:5080.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>Sent as the <c>X-Api-Key</c> header with every request when set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// The end user's principals, sent as <c>X-Rag-On-Behalf-Of</c> with every request when set: a key with the
    /// delegate permission then reads only what that user may (see <see cref="RagServiceClient.ForUser"/>).
    /// </summary>
    public IReadOnlyList<string>? OnBehalfOf { get; init; }

    /// <summary>Time limit of one HTTP request (a streamed answer is limited only by its cancellation token).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>How often a request refused with 429/503 (waiting Retry-After) or lost on the network is tried again.</summary>
    public int MaxRetries { get; init; } = 5;

    /// <summary>Longest wait before a retry, whatever Retry-After says.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often <see cref="RagServiceClient.WaitForJobAsync"/> asks for a job's state.</summary>
    public TimeSpan JobPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Read-your-writes (default on): each search or ask of a collection asks for at least the newest collection version
    /// this client's own document writes answered with, so any replica behind a load balancer answers with them in.
    /// Off: searches take whatever the answering replica holds.
    /// </summary>
    public bool ReadYourWrites { get; init; } = true;
}
