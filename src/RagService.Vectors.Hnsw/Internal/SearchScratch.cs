namespace RagService.Vectors.Hnsw.Internal;

/// <summary>Per-thread buffers reused across searches and inserts, so the hot path does not allocate.</summary>
internal sealed class SearchScratch
{
    [ThreadStatic] private static SearchScratch? t_current;

    public static SearchScratch Current => t_current ??= new SearchScratch();

    public VisitedSet Visited { get; } = new();
    public ScoreHeap Candidates { get; } = new();
    public ScoreHeap Results { get; } = new();
    public List<(float Score, int Node)> Ordered { get; } = new(256);

    /// <summary>An insert's chosen neighbours per level, held until its own links are written on every level.</summary>
    public List<List<(float Score, int Node)>> SelectedPerLevel { get; } = [];
    public List<(float Score, int Node)> PruneCandidates { get; } = new(64);
    public List<(float Score, int Node)> PruneSelected { get; } = new(64);

    /// <summary>Nodes whose inserts completed while an insert ran.</summary>
    public List<int> Concurrent { get; } = new(16);
}
