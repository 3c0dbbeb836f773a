namespace RagService.Vectors.Hnsw;

/// <summary>Tuning knobs for <see cref="HnswIndex"/> and <see cref="ExactIndex"/>.</summary>
public sealed record VectorIndexOptions
{
    /// <summary>Links per node on the upper layers; layer 0 keeps up to 2·M.</summary>
    public int M { get; init; } = 16;

    /// <summary>Candidate list size while inserting (higher: better graph, slower build).</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>
    /// Least candidate list size while searching; a search that passes no ef of its own uses
    /// max(<see cref="EfSearch"/>, <see cref="EfSearchPerResult"/> · k).
    /// </summary>
    public int EfSearch { get; init; } = 100;

    /// <summary>
    /// Candidates per requested result when the search passes no ef: with ef = k the tail of a deep result list
    /// (k = 100 for fusion) is approximate; 2 · k brings top-100 recall on real embeddings to ≥ 0.999 (docs/vector-index.md).
    /// </summary>
    public int EfSearchPerResult { get; init; } = 2;

    /// <summary>
    /// At or below this many live vectors an unfiltered search scans exactly (exact and cheaper than the graph there; see docs/vector-index.md).
    /// </summary>
    public int ExactSearchThreshold { get; init; } = 5_000;

    /// <summary>
    /// A filtered search scans the matching vectors exactly when it expects at most this many
    /// matches (or when the matching fraction is below <see cref="FilterSelectivityThreshold"/>).
    /// </summary>
    public int FilteredExactMaxMatches { get; init; } = 20_000;

    /// <summary>Matching fraction under which a filtered search skips the graph and scans exactly.</summary>
    public double FilterSelectivityThreshold { get; init; } = 0.02;

    /// <summary>Seed for the random layer assignment, so builds are reproducible.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>When removed vectors exceed this share of all stored nodes, the index compacts itself in the background (0 disables).</summary>
    public double AutoCompactDeletedRatio { get; init; } = 0.3;

    /// <summary>Threads used by compaction and bulk builds; 0 means all cores.</summary>
    public int BuildThreads { get; init; }

    /// <summary>
    /// Insert one vector at a time in the caller's order (bulk loads and compaction on one thread), so the same
    /// vectors in the same order give the same graph and the same search results, run after run (evaluations).
    /// A parallel build is as good but not repeatable: its graph depends on the thread interleaving.
    /// </summary>
    public bool DeterministicBuild { get; init; }

    /// <summary>
    /// How the graph stores vectors: <see cref="VectorQuantization.None"/> (float32) or <see cref="VectorQuantization.Int8"/>
    /// (per-dimension int8 codes calibrated on the collection; the float vectors live in a memory-mapped file and
    /// re-score the best <see cref="RescoreFactor"/> · k candidates of each search). Configured as Rag:Vectors:Quantization.
    /// </summary>
    public VectorQuantization Quantization { get; init; } = VectorQuantization.None;

    /// <summary>With int8 quantisation, a search re-scores this many candidates per requested result with the float vectors.</summary>
    public int RescoreFactor { get; init; } = 4;

    /// <summary>Where a quantised index keeps its float vectors' (unlinked) memory-mapped file; null: the system temp folder.</summary>
    public string? FloatVectorDirectory { get; init; }

    internal int EffectiveBuildThreads => DeterministicBuild ? 1 : BuildThreads > 0 ? BuildThreads : Environment.ProcessorCount;

    /// <summary>The ef of a search that passes none.</summary>
    internal int DefaultEf(int k) => (int)Math.Min(Math.Max(EfSearch, (long)EfSearchPerResult * k), int.MaxValue);

    internal void Validate()
    {
        if (M < 2 || M > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(M), M, "M must be within 2..256.");
        }

        if (EfConstruction < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EfConstruction));
        }

        if (EfSearch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EfSearch));
        }

        if (EfSearchPerResult is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(EfSearchPerResult), EfSearchPerResult, "EfSearchPerResult must be within 1..100.");
        }

        if (ExactSearchThreshold < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ExactSearchThreshold));
        }

        if (FilteredExactMaxMatches < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FilteredExactMaxMatches));
        }

        if (FilterSelectivityThreshold is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FilterSelectivityThreshold));
        }

        if (AutoCompactDeletedRatio is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AutoCompactDeletedRatio));
        }

        if (BuildThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BuildThreads));
        }

        if (!Enum.IsDefined(Quantization))
        {
            throw new ArgumentOutOfRangeException(nameof(Quantization), Quantization, "Quantization must be None or Int8.");
        }

        if (RescoreFactor is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(RescoreFactor), RescoreFactor, "RescoreFactor must be within 1..100.");
        }
    }
}

/// <summary>How an HNSW index stores the vectors its graph compares.</summary>
public enum VectorQuantization
{
    /// <summary>float32 vectors in memory.</summary>
    None = 0,

    /// <summary>int8 codes in memory, float32 vectors in a memory-mapped file for re-scoring.</summary>
    Int8 = 1,
}
