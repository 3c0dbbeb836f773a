namespace RagService.Core.Storage;

/// <summary>
/// Where collections, documents, chunks and the BM25 index live. Writes to one collection are serialised;
/// reads never wait for writers. Every write is atomic: a document is either fully old or fully new.
/// </summary>
public interface IKnowledgeStore
{
    Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken ct);

    Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken ct);

    Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct);

    /// <summary>Deletes the collection with all its documents and indexes; false when it did not exist.</summary>
    Task<bool> DeleteCollectionAsync(string name, CancellationToken ct);

    Task<CollectionStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct);

    Task<DocumentRecord?> GetDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct);

    Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, CancellationToken ct);

    /// <summary>
    /// Writes a document and its chunks, replacing the previous version in one transaction.
    /// Returns <see cref="WriteOutcome.Unchanged"/> without writing when the stored content hash is the same.
    /// </summary>
    Task<WriteOutcome> UpsertDocumentAsync(CollectionInfo collection, DocumentWrite document, CancellationToken ct);

    Task<bool> DeleteDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct);

    /// <summary>BM25 over body terms and (weighted) header terms; best first.</summary>
    Task<IReadOnlyList<ScoredChunk>> SearchBm25Async(
        CollectionInfo collection, IReadOnlyList<string> queryTerms, int limit, SearchFilter filter, CancellationToken ct);

    /// <summary>
    /// How many chunks the BM25 index holds and in how many each term occurs (for <see cref="Retrieval.LexicalFloor"/>);
    /// null when the engine cannot tell, which turns the floor off.
    /// </summary>
    Task<TermStatistics?> GetTermStatisticsAsync(CollectionInfo collection, IReadOnlyList<string> terms, CancellationToken ct) =>
        Task.FromResult<TermStatistics?>(null);

    /// <summary>Nearest chunks by embedding (cosine), best first; empty when the collection has no vectors.</summary>
    Task<IReadOnlyList<ScoredChunk>> SearchVectorsAsync(
        CollectionInfo collection, float[] query, int limit, SearchFilter filter, CancellationToken ct);

    /// <summary>Reads chunks by id, in the order given; ids that no longer exist are skipped.</summary>
    Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IReadOnlyList<long> chunkIds, CancellationToken ct);
}
