using RagService.Core.Resilience;

namespace RagService.Vectors.Qdrant;

/// <summary>Where the Qdrant server is and how the adapter lays out and queries its collections (section Rag:Qdrant).</summary>
public sealed record QdrantOptions
{
    public const string SectionName = "Rag:Qdrant";

    /// <summary>The gRPC endpoint, e.g. http://qdrant:6334; an https URL turns TLS on. The env var RAG_QDRANT_URL sets it too.</summary>
    public string? Url { get; init; }

    /// <summary>Sent as the api-key header; use it with https only.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Prefix of every collection and alias this service creates, so several deployments can share one server.</summary>
    public string CollectionPrefix { get; init; } = "rag_";

    /// <summary>Name of the dense vector inside each Qdrant collection.</summary>
    public string VectorName { get; init; } = "dense";

    /// <summary>HNSW links per node (Qdrant's hnsw_config.m).</summary>
    public int M { get; init; } = 16;

    /// <summary>HNSW candidate list size while building (hnsw_config.ef_construct).</summary>
    public int EfConstruct { get; init; } = 200;

    /// <summary>Search candidate list size (search params hnsw_ef); 0 lets Qdrant use the collection's ef_construct.</summary>
    public int HnswEf { get; init; } = 128;

    /// <summary>Search without the HNSW graph (params.exact): exact but linear in the collection size.</summary>
    public bool Exact { get; init; }

    /// <summary>Keep the original vectors on disk (memory-mapped) instead of in RAM.</summary>
    public bool OnDisk { get; init; }

    /// <summary>Int8 scalar quantization: quantized vectors in RAM for the search, rescored with the originals.</summary>
    public bool Int8Quantization { get; init; }

    /// <summary>Points per upsert request.</summary>
    public int UpsertBatchSize { get; init; } = 256;

    /// <summary>Hits per search request; a larger limit is fetched page by page (offset).</summary>
    public int SearchPageSize { get; init; } = 1_000;

    /// <summary>Retries of a request that failed with a transient status (unavailable, deadline, resource exhausted).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Median first retry delay; it doubles at each further retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Deadline of one request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a replica asks again for the cluster lock under which a collection's generation is created and its alias
    /// swapped, while another replica holds it.
    /// </summary>
    public TimeSpan GenerationLockRetryInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>When repeated failures open the circuit, so that searches answer BM25-only at once instead of waiting out retries.</summary>
    public CircuitBreakerOptions Breaker { get; init; } = new();

    /// <summary>The URL as a Uri; throws with what to fix when it is missing or malformed.</summary>
    public Uri Endpoint => Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        ? uri
        : throw new ArgumentException($"Rag:Qdrant:Url must be an http(s) URL of Qdrant's gRPC port (e.g. http://localhost:6334), not '{Url}'.");

    /// <summary>Throws with the option to fix when a value is out of range.</summary>
    public QdrantOptions Validate()
    {
        _ = Endpoint;
        Require(M is >= 4 and <= 512, nameof(M), M, "4..512");
        Require(EfConstruct is >= 4 and <= 10_000, nameof(EfConstruct), EfConstruct, "4..10000");
        Require(HnswEf is >= 0 and <= 100_000, nameof(HnswEf), HnswEf, "0..100000");
        Require(UpsertBatchSize is >= 1 and <= 10_000, nameof(UpsertBatchSize), UpsertBatchSize, "1..10000");
        Require(SearchPageSize is >= 10 and <= 100_000, nameof(SearchPageSize), SearchPageSize, "10..100000");
        Require(MaxRetries is >= 0 and <= 20, nameof(MaxRetries), MaxRetries, "0..20");
        Require(RetryBaseDelay >= TimeSpan.Zero && RetryBaseDelay <= TimeSpan.FromMinutes(1), nameof(RetryBaseDelay), RetryBaseDelay, "0..1 minute");
        Require(RequestTimeout > TimeSpan.Zero && RequestTimeout <= TimeSpan.FromMinutes(10), nameof(RequestTimeout), RequestTimeout, "above 0, at most 10 minutes");
        Require(GenerationLockRetryInterval >= TimeSpan.FromMilliseconds(10) && GenerationLockRetryInterval <= TimeSpan.FromSeconds(10),
            nameof(GenerationLockRetryInterval), GenerationLockRetryInterval, "10 ms..10 s");
        Breaker.Validate(SectionName);
        Require(IsName(CollectionPrefix, allowEmpty: true), nameof(CollectionPrefix), CollectionPrefix, "letters, digits, '_' or '-'");
        Require(IsName(VectorName, allowEmpty: false), nameof(VectorName), VectorName, "letters, digits, '_' or '-', not empty");
        return this;
    }

    private static bool IsName(string value, bool allowEmpty) =>
        (allowEmpty || value.Length > 0) && value.Length <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static void Require(bool ok, string name, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException($"Rag:Qdrant:{name}", value, $"Rag:Qdrant:{name} must be {range}.");
        }
    }
}
