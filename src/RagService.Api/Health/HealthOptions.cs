namespace RagService.Api.Health;

/// <summary>Section Rag:Health: which components must work for /health/ready to answer 200.</summary>
public sealed class HealthOptions
{
    public const string Section = "Rag:Health";

    /// <summary>Every component /health/ready reports, in the order it lists them.</summary>
    public static readonly IReadOnlyList<string> Components = ["store", "bm25", "vectors", "dense", "rerank", "llm", "model-fit", "replication"];

    /// <summary>
    /// Comma-separated component names that fail readiness (503) when they are failed or off. Unset: this replica's own
    /// data — store, bm25, and vectors when they are the embedded index (Rag:VectorStore=embedded) — because a replica
    /// whose disk failed should leave rotation while the others serve. Dependencies every replica shares (the LLM,
    /// Qdrant) and the models degrade the service instead (200, "degraded"): taking every replica out of rotation when
    /// one of them blips would turn a degraded answer into none.
    /// </summary>
    public string? RequiredForReady { get; set; }

    /// <summary>The required components; throws naming the valid ones when a name is not a component.</summary>
    public IReadOnlySet<string> Required(string vectorStore)
    {
        if (RequiredForReady is null)
        {
            return vectorStore == "embedded" ? new HashSet<string>(["store", "bm25", "vectors"]) : new HashSet<string>(["store", "bm25"]);
        }

        var names = RequiredForReady.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Where(n => !Components.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException($"{Section}:RequiredForReady names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which is not a component; " +
                $"valid: {string.Join(", ", Components)}");
        }

        return names.ToHashSet(StringComparer.Ordinal);
    }
}
