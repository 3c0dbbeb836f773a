namespace RagService.Core.Storage;

/// <summary>
/// A replica's own copy of its collections' chunk records, kept beside its derived indexes and following the store's
/// change log with them (the Lucene engine keeps it as stored fields). A search answers from it only while the store
/// cannot be reached (<see cref="HitChunkSource"/>). Sound at any version the copy holds: a chunk id is never given
/// twice and nothing a <see cref="StoredChunk"/> holds changes under the same id, so a held record is the store's.
/// </summary>
public interface ILocalChunkCopy
{
    /// <summary>The records of <paramref name="chunkIds"/> this replica holds for the collection, keyed by chunk id; ids not held are left out.</summary>
    IReadOnlyDictionary<long, StoredChunk> Held(long collectionId, IReadOnlyCollection<long> chunkIds);
}
