namespace RagService.Core.Storage;

/// <summary>
/// Where collections, documents and chunks live (the source of truth the search indexes are derived from). Writes to one collection are serialised;
/// reads never wait for writers. Every write is atomic: a document is either fully old or fully new.
/// </summary>
public interface IKnowledgeStore : IKnowledgeReader
{
    Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken ct);

    /// <summary>Deletes the collection with all its documents and indexes; false when it did not exist.</summary>
    Task<bool> DeleteCollectionAsync(string name, CancellationToken ct);

    /// <summary>
    /// Writes a document and its chunks, replacing the previous version in one transaction.
    /// Returns <see cref="WriteOutcome.Unchanged"/> without writing when the stored content hash is the same.
    /// </summary>
    Task<WriteOutcome> UpsertDocumentAsync(CollectionInfo collection, DocumentWrite document, CancellationToken ct);

    Task<bool> DeleteDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct);
}

/// <summary>The reads of a knowledge store; they never wait for writers.</summary>
public interface IKnowledgeReader
{
    Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken ct);

    Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct);

    /// <summary>Documents, chunks and stored vectors; index sizes come from the indexes themselves.</summary>
    Task<CollectionStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct);

    Task<DocumentRecord?> GetDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct);

    Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, CancellationToken ct);

    /// <summary>A page of one document's chunk ids in reading order (empty when the document does not exist).</summary>
    Task<IReadOnlyList<long>> ListChunkIdsAsync(CollectionInfo collection, string documentId, int offset, int limit, CancellationToken ct);

    /// <summary>Reads chunks by id, in the order given; ids that no longer exist are skipped.</summary>
    Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IReadOnlyList<long> chunkIds, CancellationToken ct);

    /// <summary>Where each chunk sits (its document and ordinal), without its text; ids that no longer exist are skipped.</summary>
    Task<IReadOnlyDictionary<long, ChunkPosition>> GetChunkPositionsAsync(IReadOnlyCollection<long> chunkIds, CancellationToken ct);
}
