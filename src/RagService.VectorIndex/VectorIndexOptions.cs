namespace RagService.VectorIndex;

/// <summary>Tuning knobs for <see cref="HnswIndex"/> and <see cref="ExactVectorIndex"/>.</summary>
public sealed record VectorIndexOptions
{
    /// <summary>Links per node on the upper layers; layer 0 keeps up to 2·M.</summary>
    public int M { get; init; } = 16;

    /// <summary>Candidate list size while inserting (higher: better graph, slower build).</summary>
    public int EfConstruction { get; init; } = 200;

    /// <summary>Default candidate list size while searching; a search may pass its own.</summary>
    public int EfSearch { get; init; } = 64;

    /// <summary>At or below this many live vectors an unfiltered search scans exactly.</summary>
    public int ExactSearchThreshold { get; init; } = 2_000;

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

    internal int EffectiveBuildThreads => BuildThreads > 0 ? BuildThreads : Environment.ProcessorCount;

    internal void Validate()
    {
        if (M < 2 || M > 256) throw new ArgumentOutOfRangeException(nameof(M), M, "M must be within 2..256.");
        if (EfConstruction < 1) throw new ArgumentOutOfRangeException(nameof(EfConstruction));
        if (EfSearch < 1) throw new ArgumentOutOfRangeException(nameof(EfSearch));
        if (ExactSearchThreshold < 0) throw new ArgumentOutOfRangeException(nameof(ExactSearchThreshold));
        if (FilteredExactMaxMatches < 0) throw new ArgumentOutOfRangeException(nameof(FilteredExactMaxMatches));
        if (FilterSelectivityThreshold is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(FilterSelectivityThreshold));
        if (AutoCompactDeletedRatio is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(AutoCompactDeletedRatio));
        if (BuildThreads < 0) throw new ArgumentOutOfRangeException(nameof(BuildThreads));
    }
}
