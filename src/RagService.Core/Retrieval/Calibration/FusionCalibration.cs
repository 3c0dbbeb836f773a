using RagService.Core.Models;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>How one retriever did on the pseudo-queries: share found at rank 1 and in the top 10, mean reciprocal rank.</summary>
public sealed record PseudoQueryRecall(double RecallAt1, double RecallAt10, double Mrr);

/// <summary>
/// A collection's fusion, chosen from its own content (<see cref="FusionCalibrator"/>), with the evidence for it.
/// Stored per collection; recalibrated when the chunk count moves by more than <see cref="CalibrationOptions.RecalibrateAfterChange"/>
/// or the embedding model changes.
/// </summary>
/// <param name="DenseWeight">Weight of dense scores in weighted score fusion (BM25 gets 1 − this); 0 = dense off.</param>
/// <param name="Bm25">BM25 alone on the pseudo-queries.</param>
/// <param name="Dense">Dense alone on the pseudo-queries.</param>
/// <param name="Fused">Weighted fusion at <paramref name="DenseWeight"/> on the pseudo-queries.</param>
/// <param name="SampleSize">Sampled chunks that gave a pseudo-query; each is scored against both target versions (<see cref="InverseClozeSplit"/>); 0
/// when the collection was too small for pseudo-queries and dense is off by the unknown-token gate alone.</param>
/// <param name="Chunks">The collection's chunk count when calibrated.</param>
/// <param name="ModelId">Embedding model the calibration measured (with <paramref name="ModelDimension"/>).</param>
/// <param name="Reason">Why this weight, in words.</param>
/// <param name="ModelFit">Tokenizer coverage of the sampled chunks.</param>
public sealed record FusionCalibration(
    double DenseWeight, PseudoQueryRecall Bm25, PseudoQueryRecall Dense, PseudoQueryRecall Fused, int SampleSize, int Chunks, string ModelId, int ModelDimension,
    DateTimeOffset CalibratedAt, string Reason, ModelFit? ModelFit = null)
{
    public bool DenseOff => DenseWeight <= 0;

    /// <summary>One line for a search response's fusion stage.</summary>
    public string Describe() => SampleSize == 0 ? $"calibrated {Reason}" : FormattableString.Invariant(
        $"calibrated {(DenseOff ? "dense off" : $"weighted dense={DenseWeight:0.00}")}: pseudo-query R@1 bm25 {Bm25.RecallAt1:0.000}, dense {Dense.RecallAt1:0.000}, fused {Fused.RecallAt1:0.000} (n={SampleSize}, {CalibratedAt:yyyy-MM-dd}, {ModelId})");
}

/// <summary>The "Rag:Retrieval:Calibration" options.</summary>
public sealed record CalibrationOptions
{
    /// <summary>
    /// Chunks sampled as pseudo-queries. 200: the standard error of a recall near 0.5 is then ~0.035, small against the
    /// gaps that decide a weight (an unfit model loses by tens of points), and its 600 embeddings (queries and two target versions) take seconds on
    /// an idle CPU.
    /// </summary>
    public int SampleSize { get; init; } = 200;

    /// <summary>Below this many usable chunks there is too little to measure; fusion falls back to <see cref="RetrievalOptions.DenseWeight"/>.</summary>
    public int MinimumChunks { get; init; } = 30;

    /// <summary>Recalibrate when the chunk count moved by more than this fraction since the last calibration (0.25 = a quarter more or less).</summary>
    public double RecalibrateAfterChange { get; init; } = 0.25;

    /// <summary>
    /// Dense is off when at least this share of the sampled tokens is unknown to the embedding model, whatever the
    /// pseudo-queries say. 0.5: the model then misses more of the text than it sees.
    /// </summary>
    public double DenseOffUnknownTokenRate { get; init; } = 0.5;

    /// <summary>Dense weights tried, from 0 to 1 in this step.</summary>
    public double WeightStep { get; init; } = 0.05;

    /// <summary>
    /// Quiet time after a collection's last write before its calibration runs, so that a burst of uploads is calibrated
    /// once. 2 s: a client's back-to-back uploads follow each other within milliseconds (the next request starts when the
    /// previous one returns), so 2 s of silence means the burst is over, and a single upload waits only 2 s longer.
    /// </summary>
    public TimeSpan DebounceDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Longest a due calibration waits behind a continuous stream of writes (counted from the first write of the stream).
    /// 1 min: during a long sync searches use the previous weights (or RRF) for at most a minute plus one calibration, and
    /// calibrating at most once a minute (a few seconds of embedding each) costs a small share of one core.
    /// </summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    public void Validate()
    {
        if (SampleSize < 10 || MinimumChunks < 10 || RecalibrateAfterChange <= 0 || WeightStep is <= 0 or > 0.5 || DenseOffUnknownTokenRate is <= 0 or > 1)
        {
            throw new ArgumentException(
                $"Rag:Retrieval:Calibration needs SampleSize >= 10, MinimumChunks >= 10, RecalibrateAfterChange > 0, 0 < WeightStep <= 0.5 and 0 < DenseOffUnknownTokenRate <= 1; got {this}");
        }

        if (DebounceDelay < TimeSpan.Zero || MaxDelay < DebounceDelay || MaxDelay > TimeSpan.FromDays(1))
        {
            throw new ArgumentException(
                $"Rag:Retrieval:Calibration needs 0 <= DebounceDelay <= MaxDelay <= 1 day (e.g. \"00:00:02\" and \"00:01:00\"); got DebounceDelay {DebounceDelay}, MaxDelay {MaxDelay}");
        }
    }
}
