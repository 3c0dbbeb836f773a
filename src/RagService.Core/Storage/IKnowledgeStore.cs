using RagService.Core.Access;

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
    /// Returns <see cref="WriteOutcome.Unchanged"/> without writing when the stored content hash is the same. A write
    /// with an access list replaces the stored one (alone, when the content is the same); one without keeps it.
    /// </summary>
    Task<WriteOutcome> UpsertDocumentAsync(CollectionInfo collection, DocumentWrite document, CancellationToken ct);

    Task<bool> DeleteDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct);

    /// <summary>
    /// Replaces a document's access list (null: none, its collection's default applies) without touching its content,
    /// chunks or vectors; the next search obeys it. False when the document does not exist.
    /// </summary>
    Task<bool> SetDocumentAccessAsync(CollectionInfo collection, string documentId, IReadOnlyList<string>? access, CancellationToken ct);

    /// <summary>
    /// Opens a group of writes to the collection (dispose it to end the group): each write stays atomic and searchable at
    /// once, and derived indexes make the group durable once at its end instead of after every write
    /// (<see cref="Indexing.ISearchIndex.DeferCommits"/>). For a batch of writes such as a sync job's.
    /// </summary>
    IDisposable BeginWriteGroup(CollectionInfo collection);
}

/// <summary>The reads of a knowledge store; they never wait for writers.</summary>
public interface IKnowledgeReader
{
    Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken ct);

    Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct);

    /// <summary>
    /// Documents, chunks and stored vectors, counting only what <paramref name="access"/> may read (null: everything);
    /// index sizes come from the indexes themselves.
    /// </summary>
    Task<CollectionStats> GetStatsAsync(CollectionInfo collection, AccessScope? access, CancellationToken ct);

    Task<DocumentRecord?> GetDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct);

    /// <summary>A page of the documents <paramref name="access"/> may read (null: all), in id order.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, AccessScope? access, CancellationToken ct);

    /// <summary>A page of one document's chunk ids in reading order (empty when the document does not exist).</summary>
    Task<IReadOnlyList<long>> ListChunkIdsAsync(CollectionInfo collection, string documentId, int offset, int limit, CancellationToken ct);

    /// <summary>Reads chunks by id, in the order given; ids that no longer exist are skipped.</summary>
    Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IReadOnlyList<long> chunkIds, CancellationToken ct);

    /// <summary>Where each chunk sits (its document and ordinal), without its text; ids that no longer exist are skipped.</summary>
    Task<IReadOnlyDictionary<long, ChunkPosition>> GetChunkPositionsAsync(IReadOnlyCollection<long> chunkIds, CancellationToken ct);
}
