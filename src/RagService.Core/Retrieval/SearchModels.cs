using RagService.Core.Storage;

namespace RagService.Core.Retrieval;

public enum RetrievalMode
{
    Bm25,
    Dense,
    Hybrid,
}

/// <summary>How hybrid search merges the BM25 and dense lists.</summary>
public enum FusionMethod
{
    /// <summary>Reciprocal-rank fusion: uses ranks only, robust to the retrievers' different score scales.</summary>
    Rrf,

    /// <summary>Weighted sum of min-max normalised scores (<see cref="RetrievalOptions.DenseWeight"/>).</summary>
    Weighted,

    /// <summary>
    /// The default: weighted fusion at the dense weight calibrated on the collection's own content, dense off when it does
    /// not help (<see cref="Calibration.FusionCalibrator"/>); reciprocal-rank fusion while the collection is too small to calibrate.
    /// </summary>
    Calibrated,
}

/// <summary>A search as the caller asked for it.</summary>
public sealed record SearchQuery
{
    public required string Query { get; init; }
    public int TopK { get; init; } = 5;
    public RetrievalMode Mode { get; init; } = RetrievalMode.Hybrid;

    /// <summary>Whether to rerank with the cross-encoder; null = when a reranker is configured.</summary>
    public bool? Rerank { get; init; }

    /// <summary>How many candidates each retriever returns before fusion.</summary>
    public int Candidates { get; init; } = 100;

    public SearchFilter Filter { get; init; } = SearchFilter.None;

    public FusionMethod Fusion { get; init; } = FusionMethod.Calibrated;
}

/// <summary>One stage of the query path: what ran, how many candidates it produced, and how long it took.</summary>
/// <param name="Stage">"analyze", "bm25", "dense", "fusion", "neighbours", "rerank", "fetch".</param>
/// <param name="Status">"ok", "off" (not configured), "skipped" (not requested) or "failed".</param>
/// <param name="Engine">The index engine that answered ("memory", "lucene", "hnsw"), for the retrieval stages that ran.</param>
public sealed record StageReport(string Stage, string Status, int Candidates, double Milliseconds, string? Detail = null, string? Engine = null);

/// <summary>Where a hit came from: its rank (1-based) and score in each stage that saw it.</summary>
public sealed record HitProvenance(int? Bm25Rank, double? Bm25Score, int? DenseRank, double? DenseScore, double? FusionScore, double? RerankScore)
{
    /// <summary>The chunk's passage with the matched query terms highlighted, when a highlighter is configured (Lucene.Net.Highlighter).</summary>
    public string? Snippet { get; init; }

    /// <summary>
    /// The best fused score in the hit's neighbourhood (itself and its adjacent candidates), added to its fused score (<see
    /// cref="NeighbourEvidence"/>).
    /// </summary>
    public double? NeighbourhoodScore { get; init; }
}

public sealed record SearchHit(int Rank, double Score, StoredChunk Chunk, HitProvenance Provenance);

/// <param name="RanMode">The retrieval that actually ran: hybrid asked without an embedding model runs bm25.</param>
/// <param name="NothingSpecificMatched">
/// True when the lexical floor (<see cref="LexicalFloor"/>) found no meaningful query term in the collection; only judged
/// when BM25 alone ranked the hits (no dense retrieval, no reranker), otherwise false.
/// </param>
public sealed record SearchOutcome(
    IReadOnlyList<SearchHit> Hits, IReadOnlyList<StageReport> Stages, double TotalMilliseconds, RetrievalMode RanMode, bool NothingSpecificMatched = false)
{
    /// <summary>Every candidate either retriever returned, in fused order, with its rank and score in each stage (for explaining a ranking).</summary>
    public IReadOnlyList<CandidateTrace> Candidates { get; init; } = [];
}

/// <summary>One candidate of a search and where each stage ranked it.</summary>
public sealed record CandidateTrace(long ChunkId, HitProvenance Provenance);
