namespace RagService.Core.ChangeLog;

/// <summary>
/// The store's change log as the derived indexes follow it (every replica keeps its own Lucene, BM25 and HNSW indexes
/// and catches them up from here instead of rebuilding them).
/// </summary>
public interface IChangeFeed
{
    /// <summary>
    /// The changes of the collection after <paramref name="fromVersion"/> up to its current version, in one read
    /// snapshot; a gap when the log no longer reaches back to <paramref name="fromVersion"/> (trimmed by retention, or
    /// a write that did not append to it).
    /// </summary>
    ChangeRead ReadSince(long collectionId, long fromVersion);

    /// <summary>Every collection's id and current version.</summary>
    Task<IReadOnlyDictionary<long, long>> GetVersionsAsync(CancellationToken ct);

    /// <summary>Deletes each collection's entries older than its newest <paramref name="keepVersions"/> versions; how many were deleted.</summary>
    Task<int> TrimAsync(long keepVersions, CancellationToken ct);

    /// <summary>
    /// Returns when the store signals a committed write (PostgreSQL NOTIFY) or after <paramref name="timeout"/>,
    /// whichever comes first; a store without signals just waits (the follower then polls).
    /// </summary>
    Task WaitForChangeAsync(TimeSpan timeout, CancellationToken ct);

    /// <summary>How the feed learns of other processes' writes, for readiness ("LISTEN rag_changes", "polling").</summary>
    string Signal { get; }
}
