using RagService.Core.Access;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;

namespace RagService.Core.Storage;

/// <summary>
/// The knowledge store every adapter shares: reads go straight to the adapter's rows; each write runs under its
/// collection's lock in one store transaction, in this order: the rows change; every index prepares the change (an
/// external engine writes its durable copy, and a refusal rolls the transaction back: the write fails whole); the
/// transaction commits; the derived indexes get the change (<see cref="ISearchIndex.Apply"/>) before the lock is
/// released, so they see this process's writes in version order.
/// </summary>
public class KnowledgeStore : IKnowledgeStore
{
    private readonly IKnowledgeRows _rows;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _writeLocks = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<ISearchIndex> _indexes;
    private readonly ILogger _logger;
    private readonly ChunkCache? _chunks;

    /// <param name="indexes">The indexes derived from the store; none for a writer that leaves them to catch up by version.</param>
    public KnowledgeStore(IKnowledgeRows rows, IEnumerable<ISearchIndex>? indexes = null)
        : this(rows, indexes, NullLogger.Instance)
    {
    }

    /// <param name="chunks">The search hits' chunk cache: each committed write adds its new chunks and removes the ones it deleted.</param>
    public KnowledgeStore(IKnowledgeRows rows, IEnumerable<ISearchIndex>? indexes, ILogger logger, ChunkCache? chunks = null)
    {
        _rows = rows;
        _indexes = indexes?.ToList() ?? [];
        _logger = logger;
        _chunks = chunks;
    }

    public Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken ct) =>
        WriteAsync(name, async tx =>
        {
            var created = StoreTime.Now();
            var id = await tx.InsertCollectionAsync(name, settings, created, ct) ?? throw new CollectionExistsException(name);
            await tx.CommitAsync(ct);
            return new CollectionInfo(id, name, settings, created);
        }, ct);

    public Task<bool> DeleteCollectionAsync(string name, CancellationToken ct) =>
        WriteAsync(name, async tx =>
        {
            if (await tx.DeleteCollectionAsync(name, ct) is not { } id)
            {
                return false;
            }

            await tx.CommitAsync(ct);
            Drop(name, id);
            return true;
        }, ct);

    public Task<WriteOutcome> UpsertDocumentAsync(CollectionInfo collection, DocumentWrite document, CancellationToken ct) =>
        WriteAsync(collection.Name, async tx =>
        {
            await EnsureCollectionStillExistsAsync(tx, collection, ct);
            var existing = await tx.FindDocumentAsync(collection.Id, document.Id, ct);
            if (existing?.ContentHash == document.ContentHash)
            {
                if (document.Access is null || Principals.SameList(existing.Access, document.Access))
                {
                    return WriteOutcome.Unchanged;
                }

                await ChangeAccessAsync(tx, collection, document.Id, existing.RowId, document.Access, ct);
                return WriteOutcome.Updated;
            }

            // A write without a list keeps the stored one: re-sending content never opens a restricted document.
            document = document with { Access = document.Access ?? existing?.Access };
            var now = StoreTime.Now();
            var created = existing?.CreatedAt ?? now;
            IReadOnlyList<long> removed = existing is null ? [] : await tx.DeleteDocumentAsync(existing.RowId, ct);
            var row = await tx.InsertDocumentAsync(collection.Id, document, created, now, ct);
            var ids = await tx.InsertChunksAsync(row, document.Chunks, ct);
            var records = document.Chunks.Select((c, i) =>
                new StoredChunk(ids[i], document.Id, document.Title, c.Chunk.Ordinal, c.Chunk.Text, c.Chunk.HeadingPath, c.Chunk.Page, document.Metadata, now)).ToList();
            var added = document.Chunks.Select((c, i) => new IndexEntry(ids[i], c.Chunk.Text, c.BodyTerms, c.HeaderTerms, c.Vector)
            {
                Access = document.Access,
                Record = records[i],
            }).ToList();
            var version = await tx.BumpVersionAsync(collection.Id, ct);
            var change = new IndexChange(collection, version, removed, added, new IndexedDocument(document.Id, document.Metadata, created, now) { Access = document.Access });
            await CommitAndPublishAsync(tx, change, ct);
            _chunks?.Add(records);
            return existing is null ? WriteOutcome.Created : WriteOutcome.Updated;
        }, ct);

    public Task<bool> DeleteDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct) =>
        WriteAsync(collection.Name, async tx =>
        {
            await EnsureCollectionStillExistsAsync(tx, collection, ct);
            if (await tx.FindDocumentAsync(collection.Id, documentId, ct) is not { } existing)
            {
                return false;
            }

            var removed = await tx.DeleteDocumentAsync(existing.RowId, ct);
            var version = await tx.BumpVersionAsync(collection.Id, ct);
            var change = new IndexChange(collection, version, removed, [], new IndexedDocument(documentId, new Dictionary<string, string>(), default, default));
            await CommitAndPublishAsync(tx, change, ct);
            return true;
        }, ct);

    public Task<bool> SetDocumentAccessAsync(CollectionInfo collection, string documentId, IReadOnlyList<string>? access, CancellationToken ct) =>
        WriteAsync(collection.Name, async tx =>
        {
            await EnsureCollectionStillExistsAsync(tx, collection, ct);
            if (await tx.FindDocumentAsync(collection.Id, documentId, ct) is not { } existing)
            {
                return false;
            }

            if (!Principals.SameList(existing.Access, access))
            {
                await ChangeAccessAsync(tx, collection, documentId, existing.RowId, access, ct);
            }

            return true;
        }, ct);

    public IDisposable BeginWriteGroup(CollectionInfo collection)
    {
        var deferrals = new List<IDisposable>(_indexes.Count);
        foreach (var index in _indexes)
        {
            try
            {
                deferrals.Add(index.DeferCommits(collection));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // The index cannot be opened now: its writes fail to apply the same way and it catches up later.
                _logger.IndexGroupCommitFailed(e, index.Engine, collection.Name);
                deferrals.Add(new CompositeDisposable([]));
            }
        }

        return new WriteGroup(this, collection, deferrals);
    }

    public Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken ct) => _rows.GetCollectionAsync(name, ct);

    public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct) => _rows.ListCollectionsAsync(ct);

    public Task<CollectionStats> GetStatsAsync(CollectionInfo collection, AccessScope? access, CancellationToken ct) => _rows.GetStatsAsync(collection, access, ct);

    public Task<DocumentRecord?> GetDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct) =>
        _rows.GetDocumentAsync(collection, documentId, ct);

    public Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, AccessScope? access, CancellationToken ct) =>
        _rows.ListDocumentsAsync(collection, offset, limit, access, ct);

    public Task<IReadOnlyList<long>> ListChunkIdsAsync(CollectionInfo collection, string documentId, int offset, int limit, CancellationToken ct) =>
        _rows.ListChunkIdsAsync(collection, documentId, offset, limit, ct);

    public Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IReadOnlyList<long> chunkIds, CancellationToken ct) => _rows.GetChunksAsync(chunkIds, ct);

    public Task<IReadOnlyDictionary<long, ChunkPosition>> GetChunkPositionsAsync(IReadOnlyCollection<long> chunkIds, CancellationToken ct) =>
        _rows.GetChunkPositionsAsync(chunkIds, ct);

    /// <summary>
    /// Changes only a document's access list: a new collection version (so every derived index and cache sees the
    /// change at the next search) without re-extracting, re-chunking or re-embedding anything.
    /// </summary>
    private async Task ChangeAccessAsync(IKnowledgeTransaction tx, CollectionInfo collection, string documentId, long row, IReadOnlyList<string>? access, CancellationToken ct)
    {
        var chunks = await tx.SetDocumentAccessAsync(row, access, ct);
        var version = await tx.BumpVersionAsync(collection.Id, ct);
        var document = new IndexedDocument(documentId, new Dictionary<string, string>(), default, default) { Access = access };
        await CommitAndPublishAsync(tx, new IndexChange(collection, version, [], [], document) { AccessChanged = chunks }, ct);
    }

    /// <summary>
    /// Re-checks, inside the transaction, that the collection the caller looked up earlier still exists with the same
    /// id and name: a write that started before a delete (and maybe a re-create) must not write anything.
    /// </summary>
    private static async Task EnsureCollectionStillExistsAsync(IKnowledgeTransaction tx, CollectionInfo collection, CancellationToken ct)
    {
        if (!await tx.LockCollectionAsync(collection, ct))
        {
            throw new CollectionGoneException(collection.Name);
        }
    }

    private async Task CommitAndPublishAsync(IKnowledgeTransaction tx, IndexChange change, CancellationToken ct)
    {
        // Before the commit: one that fails then costs only a later read of chunks that still exist.
        _chunks?.Remove(change.Removed);
        await tx.AppendChangeAsync(new ChangeRecord(change.Collection.Id, change.Version, change.Removed, change.Added.Select(a => a.ChunkId).ToList())
        {
            AccessChanged = change.AccessChanged,
        }, ct);
        foreach (var index in _indexes)
        {
            await index.PrepareAsync(change, ct);
        }

        using (LocalWrite(change.Collection.Id))
        {
            await tx.CommitAsync(ct);
            Publish(change);
        }
    }

    /// <summary>Tells every index that this process is about to commit a write to the collection (see <see cref="ISearchIndex.LocalWrite"/>).</summary>
    private CompositeDisposable LocalWrite(long collectionId) => new(_indexes.Select(index => index.LocalWrite(collectionId)).ToList());

    /// <summary>
    /// Hands a committed write to every index. The store already holds it, so an index that fails here is only behind:
    /// it logs and catches up from the store at its next search, when it sees the version it missed.
    /// </summary>
    private void Publish(IndexChange change)
    {
        foreach (var index in _indexes)
        {
            try
            {
                index.Apply(change);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                _logger.IndexApplyFailed(e, index.Engine, change.Version, change.Collection.Name);
            }
        }
    }

    /// <summary>
    /// Tells every index that a committed delete removed the collection. The store no longer holds it, so an index that
    /// fails here (say, a search reopening the folder while it is deleted) only keeps unreachable files: it logs.
    /// </summary>
    private void Drop(string name, long collectionId)
    {
        foreach (var index in _indexes)
        {
            try
            {
                index.Drop(collectionId);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                _logger.IndexDropFailed(e, index.Engine, name);
            }
        }
    }

    /// <summary>
    /// Runs one write under the collection's lock (one writer per collection in this process; the transaction's own
    /// locks order writers across processes); <paramref name="work"/> commits, and whatever it leaves uncommitted is rolled back.
    /// </summary>
    private async Task<T> WriteAsync<T>(string collection, Func<IKnowledgeTransaction, Task<T>> work, CancellationToken ct)
    {
        var gate = _writeLocks.GetOrAdd(collection, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var tx = await _rows.BeginWriteAsync(ct);
            return await work(tx);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Ends every index's deferral; an index whose commit fails holds the group's writes in memory only (searchable) and
    /// catches up from the store at its next open, so the failure is logged, like a failed <see cref="Publish"/>.
    /// </summary>
    private sealed class WriteGroup(KnowledgeStore store, CollectionInfo collection, IReadOnlyList<IDisposable> deferrals) : IDisposable
    {
        public void Dispose()
        {
            for (var i = 0; i < deferrals.Count; i++)
            {
                try
                {
                    deferrals[i].Dispose();
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
                {
                    store._logger.IndexGroupCommitFailed(e, store._indexes[i].Engine, collection.Name);
                }
            }
        }
    }

    private sealed class CompositeDisposable(IReadOnlyList<IDisposable> parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }
}

/// <summary>The times a store writes: UTC, to the microsecond, which every store keeps exactly (PostgreSQL's timestamps hold no finer).</summary>
public static class StoreTime
{
    public static DateTimeOffset Now() => Truncate(DateTimeOffset.UtcNow);

    public static DateTimeOffset Truncate(DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMicrosecond));
}
