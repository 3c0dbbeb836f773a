using RagService.Core.Storage;

namespace RagService.Core.Indexing;

/// <summary>What the indexes read from the store: the collection's version, filters resolved to chunk ids, and a consistent snapshot to rebuild from.</summary>
public interface IIndexSource
{
    /// <summary>The collection's version: it grows with every committed write, from any process.</summary>
    Task<long> GetVersionAsync(long collectionId, CancellationToken ct);

    /// <summary>
    /// The collection's version read from the store itself, never from a cache that learns other processes' commits a
    /// moment later (as <see cref="GetVersionAsync"/> may): what cached access decisions are checked against, so that an
    /// access change on one replica holds for the very next search on every other.
    /// </summary>
    Task<long> ReadCommittedVersionAsync(long collectionId, CancellationToken ct) => GetVersionAsync(collectionId, ct);

    /// <summary>The ids of the collection's chunks that pass the filter; null when the filter is empty (everything passes).</summary>
    Task<IReadOnlySet<long>?> ChunksMatchingAsync(CollectionInfo collection, SearchFilter filter, CancellationToken ct);

    /// <summary>A read snapshot of the collection (one read transaction) to rebuild an index from.</summary>
    IIndexSnapshot OpenSnapshot(long collectionId);
}

public interface IIndexSnapshot : IDisposable
{
    long Version { get; }

    /// <summary>Dimension of the most recently written vector; 0 when the collection has none.</summary>
    int VectorDimension { get; }

    /// <summary>
    /// Every chunk with its text, terms and document's access list, in chunk id order; vectors are not read
    /// (<see cref="IndexEntry.Vector"/> is null).
    /// </summary>
    IEnumerable<IndexEntry> ReadTerms();

    /// <summary>Every stored vector of the given dimension (vectors of another dimension belong to a previous model).</summary>
    IEnumerable<(long ChunkId, float[] Vector)> ReadVectors(int dimension);
}
