using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Core.Indexing;

/// <summary>
/// A per-collection index derived from the store (SQLite is the source of truth): it follows the store's committed
/// writes and rebuilds itself from <see cref="IIndexSource"/> whenever it is behind (another process wrote, a restart).
/// </summary>
public interface ISearchIndex : IComponentHealth
{
    /// <summary>The engine's name as responses report it: "memory", "lucene", "hnsw".</summary>
    string Engine { get; }

    /// <summary>
    /// A write is about to commit. An engine that keeps its own durable copy outside the store (an external vector
    /// database shared by replicas) writes it here: an exception aborts the write, which the store then rolls back, so
    /// the store and the engine never disagree about a committed document. Engines derived from the store do nothing.
    /// </summary>
    Task PrepareAsync(IndexChange change, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Applies a committed write (see <see cref="IndexChange"/>).</summary>
    void Apply(IndexChange change);

    /// <summary>The collection was deleted: forget its index and its files.</summary>
    void Drop(long collectionId);

    /// <summary>
    /// Marks a write of this process as in flight from before its commit until its <see cref="Apply"/> (dispose the result), so
    /// that a search reading the new version meanwhile waits for the delta instead of rebuilding (see <see cref="VersionedCache{TIndex}.LocalWrite"/>).
    /// </summary>
    IDisposable LocalWrite(long collectionId) => NoLocalWrite.Instance;

    /// <summary>
    /// Until the result is disposed, an engine with a durable copy of its own (Lucene) applies the collection's writes,
    /// searchable at once, without making each one durable, and makes them durable once at the end. A crash in between
    /// leaves it behind the store, which it catches up on from the change log (or by a rebuild) like any stale index.
    /// </summary>
    IDisposable DeferCommits(CollectionInfo collection) => NoLocalWrite.Instance;

    Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct);

    /// <summary>
    /// The store version the collection's index holds, or null when this engine holds none in this process (not
    /// loaded yet, or an engine shared by every replica that follows nothing).
    /// </summary>
    long? HeldVersion(long collectionId) => null;

    /// <summary>
    /// Brings a held index up to <paramref name="storeVersion"/> from the store's change log (a rebuild only when the
    /// log no longer reaches back); does nothing when the index is not held or already there.
    /// </summary>
    Task CatchUpAsync(long collectionId, long storeVersion, CancellationToken ct) => Task.CompletedTask;
}

/// <param name="Engine">Which engine holds the index.</param>
/// <param name="Entries">Live chunks in the index (0 when it is not loaded yet).</param>
/// <param name="Bytes">Size on disk (0 for an index that lives only in memory).</param>
/// <param name="Load">How the index was last opened: "loaded", "rebuilt: &lt;reason&gt;", "not loaded".</param>
/// <param name="Graph">Connectivity of a graph index (HNSW); null for other engines or an empty index.</param>
/// <param name="Version">The store version the index holds; null when it is not loaded (or the engine follows nothing).</param>
/// <param name="Follow">Versions caught up from the change log and rebuilds since the start; null for engines that follow nothing.</param>
public sealed record IndexStats(string Engine, long Entries, long Bytes, string Load, RagService.Core.Vectors.VectorGraphHealth? Graph = null,
    long? Version = null, RagService.Core.ChangeLog.IndexFollow? Follow = null);

/// <summary>BM25 over the chunks' body and header terms.</summary>
public interface ILexicalSearchIndex : ISearchIndex
{
    /// <summary>The best chunks for the analyzed query terms, best first; a repeated term counts once per repeat.</summary>
    Task<IReadOnlyList<ScoredChunk>> SearchAsync(CollectionInfo collection, IReadOnlyList<string> queryTerms, int limit, SearchFilter filter, CancellationToken ct);

    /// <summary>
    /// How many live chunks the index holds and in how many bodies each term occurs (for <see cref="Retrieval.LexicalFloor"/>);
    /// null when the engine cannot tell, which turns the floor off.
    /// </summary>
    Task<TermStatistics?> GetTermStatisticsAsync(CollectionInfo collection, IReadOnlyList<string> terms, CancellationToken ct);
}

/// <summary>Nearest chunks by embedding.</summary>
public interface IVectorSearchIndex : ISearchIndex
{
    /// <summary>Nearest chunks by cosine, best first; empty when the collection has no vectors of this dimension.</summary>
    Task<IReadOnlyList<ScoredChunk>> SearchAsync(CollectionInfo collection, float[] query, int limit, SearchFilter filter, CancellationToken ct);
}

file sealed class NoLocalWrite : IDisposable
{
    public static readonly NoLocalWrite Instance = new();

    public void Dispose()
    {
    }
}
