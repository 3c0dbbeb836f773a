namespace RagService.Vectors.Hnsw;

/// <summary>A nearest-neighbour hit: the caller's id and the cosine similarity (inner product of normalised vectors).</summary>
public readonly record struct NeighbourHit(long Id, float Score);

/// <summary>
/// Nearest-neighbour search over L2-normalised float32 vectors by inner product.
/// Implementations are safe for concurrent searches alongside inserts and removals.
/// </summary>
public interface INeighbourIndex : IDisposable
{
    int Dimension { get; }

    /// <summary>Number of live (not removed) vectors.</summary>
    int Count { get; }

    /// <summary>Adds a vector, or replaces the vector already stored under this id.</summary>
    void Upsert(long id, ReadOnlySpan<float> vector);

    /// <summary>Removes an id; returns false when it was not present. A removed id is never returned by a search.</summary>
    bool Remove(long id);

    /// <summary>The k most similar live vectors, best first, that pass the filter (when given).</summary>
    /// <param name="efSearch">Search breadth for approximate indexes; null uses the configured default.</param>
    IReadOnlyList<NeighbourHit> Search(ReadOnlySpan<float> query, int k, Func<long, bool>? filter = null, int? efSearch = null);
}
