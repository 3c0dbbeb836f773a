using RagService.Core.Models;
using RagService.Core.Retrieval.Calibration;

namespace RagService.Core.Retrieval;

/// <summary>Defaults of the query path (the "Rag:Retrieval" configuration section).</summary>
public sealed record RetrievalOptions
{
    /// <summary>The k of reciprocal-rank fusion: score = Σ 1 / (k + rank).</summary>
    public int RrfK { get; init; } = ReciprocalRankFusion.DefaultK;

    /// <summary>Weight of the dense side in weighted score fusion (the BM25 side gets 1 − this).</summary>
    public double DenseWeight { get; init; } = 0.5;

    /// <summary>
    /// How many fused candidates the cross-encoder rescores (at least topK). 10: cross-encoder cost grows linearly
    /// with it and 10 is the most that stayed near interactive on 2 CPU cores (bench/search-latency.sh, docs/onnx.md).
    /// </summary>
    public int RerankCandidates { get; init; } = 10;

    /// <summary>
    /// When the cross-encoder ran and the best passage scores below this, ask answers "not found" without calling the LLM
    /// (weak context invites made-up answers). Null: no floor. The scale is the reranker's (logit or sigmoid).
    /// </summary>
    public double? RelevanceFloor { get; init; }

    /// <summary>How fused candidates borrow evidence from their neighbours in the same document (<see cref="NeighbourEvidence"/>).</summary>
    public NeighbourEvidenceOptions Neighbours { get; init; } = new();

    /// <summary>How calibrated fusion samples pseudo-queries and when it recalibrates ("Rag:Retrieval:Calibration").</summary>
    public CalibrationOptions Calibration { get; init; } = new();

    /// <summary>Limits of the model-fit check: unknown-token and truncation rates ("Rag:Retrieval:ModelFit").</summary>
    public ModelFitThresholds ModelFit { get; init; } = new();
}
