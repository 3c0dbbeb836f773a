namespace RagService.Core.Storage;

/// <summary>
/// What a store adapter provides to <see cref="KnowledgeStore"/>: the reads, and write transactions over rows. The
/// order of a write (prepare the external indexes, commit, publish to the derived ones) is not the adapter's business.
/// </summary>
public interface IKnowledgeRows : IKnowledgeReader
{
    /// <summary>Opens a write transaction; throws <see cref="StorageUnavailableException"/> when the store cannot be written.</summary>
    Task<IKnowledgeTransaction> BeginWriteAsync(CancellationToken ct);
}

/// <summary>
/// One write transaction. Nothing is visible to readers until <see cref="CommitAsync"/>; disposing it uncommitted
/// (an early return, an exception, a cancellation) rolls everything back. Faults of the underlying store surface as
/// <see cref="StorageUnavailableException"/>.
/// </summary>
public interface IKnowledgeTransaction : IAsyncDisposable
{
    /// <summary>The new collection's id (never one given before), or null when the name is taken.</summary>
    Task<long?> InsertCollectionAsync(string name, CollectionSettings settings, DateTimeOffset created, CancellationToken ct);

    /// <summary>Deletes the collection and everything in it; its id, or null when there was none of that name.</summary>
    Task<long?> DeleteCollectionAsync(string name, CancellationToken ct);

    /// <summary>
    /// Holds the collection against concurrent writers (other connections, other replicas) until the transaction ends;
    /// false when no collection of this id and name exists any more (deleted, maybe re-created under a new id).
    /// </summary>
    Task<bool> LockCollectionAsync(CollectionInfo collection, CancellationToken ct);

    Task<DocumentRow?> FindDocumentAsync(long collectionId, string documentId, CancellationToken ct);

    /// <summary>Deletes a document with its chunks, terms and vectors; the ids of the chunks it had.</summary>
    Task<IReadOnlyList<long>> DeleteDocumentAsync(long documentRow, CancellationToken ct);

    /// <summary>The new document's row id.</summary>
    Task<long> InsertDocumentAsync(long collectionId, DocumentWrite document, DateTimeOffset created, DateTimeOffset updated, CancellationToken ct);

    /// <summary>Inserts the chunks with their terms and vectors; their new ids (never given before), in the order given.</summary>
    Task<IReadOnlyList<long>> InsertChunksAsync(long documentRow, IReadOnlyList<IndexedChunk> chunks, CancellationToken ct);

    /// <summary>Replaces a document's access list (null: none), touching nothing else; its chunks' ids.</summary>
    Task<IReadOnlyList<long>> SetDocumentAccessAsync(long documentRow, IReadOnlyList<string>? access, CancellationToken ct);

    /// <summary>Increments the collection's version; the new version.</summary>
    Task<long> BumpVersionAsync(long collectionId, CancellationToken ct);

    /// <summary>Appends the write to the change log (see <see cref="ChangeLog.ChangeRecord"/>), in this transaction.</summary>
    Task AppendChangeAsync(ChangeLog.ChangeRecord change, CancellationToken ct);

    Task CommitAsync(CancellationToken ct);
}

/// <summary>A stored document's row, as a write needs it.</summary>
public sealed record DocumentRow(long RowId, string ContentHash, DateTimeOffset CreatedAt, IReadOnlyList<string>? Access = null);
