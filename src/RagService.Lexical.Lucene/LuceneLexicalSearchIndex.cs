using System.Collections.Concurrent;
using LockObtainFailedException = Lucene.Net.Store.LockObtainFailedException;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Lexical.Lucene;

/// <summary>
/// The "lucene" BM25 engine: one on-disk Lucene.Net index per collection under <see cref="LuceneOptions.Directory"/>,
/// derived from the store and versioned against it, scored with the same BM25F as the in-memory engine, with highlighted
/// snippets. It is opened at the collection's first search or write after a start, reused when intact, and caught up
/// from the store's change log when another process wrote (see <see cref="LuceneCollectionIndex"/>). A caller's access
/// scope is a filter on the indexed access field (<see cref="AccessField"/>); other filter conditions are resolved by the store.
/// Each chunk's record is stored beside its terms (<see cref="ChunkRecordField"/>): the replica's local copy of what hits
/// show (<see cref="ILocalChunkCopy"/>), read from the open index or, for a collection not opened yet, from its folder.
/// </summary>
public sealed class LuceneLexicalSearchIndex : ILexicalSearchIndex, ILocalChunkCopy, IDisposable
{
    private readonly IIndexSource _source;
    private readonly IChangeFeed? _changes;
    private readonly LuceneOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, LuceneCollectionIndex> _open = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _openLocks = new();
    private volatile string? _lockFault;

    public LuceneLexicalSearchIndex(IIndexSource source, LuceneOptions options, IChangeFeed? changes = null)
        : this(source, options, NullLogger.Instance, changes)
    {
    }

    public LuceneLexicalSearchIndex(IIndexSource source, LuceneOptions options, ILogger logger, IChangeFeed? changes = null)
    {
        options.Validate();
        _source = source;
        _changes = changes;
        _options = options;
        _logger = logger;
    }

    public string Engine => "lucene";

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(
        CollectionInfo collection, IReadOnlyList<string> queryTerms, int limit, SearchFilter filter, CancellationToken ct)
    {
        // A scoped search reads the version from the store itself, so another replica's access change holds at once.
        var version = filter.Access is null
            ? await _source.GetVersionAsync(collection.Id, ct)
            : await _source.ReadCommittedVersionAsync(collection.Id, ct);
        var rest = filter with { Access = null };
        var allowed = rest.IsEmpty ? null : await _source.ChunksMatchingAsync(collection, rest, ct);
        var index = await GetForReadAsync(collection, ct);
        index.EnsureCurrent(version, _source);
        return queryTerms.Count == 0 ? [] : index.Search(queryTerms, limit, filter.Access, collection.Settings.UnlistedAccess, allowed);
    }

    public async Task<TermStatistics?> GetTermStatisticsAsync(CollectionInfo collection, IReadOnlyList<string> terms, CancellationToken ct)
    {
        var version = await _source.GetVersionAsync(collection.Id, ct);
        var index = await GetForReadAsync(collection, ct);
        index.EnsureCurrent(version, _source);
        return index.Statistics(terms);
    }

    public void Apply(IndexChange change)
    {
        var index = _open.TryGetValue(change.Collection.Id, out var open) ? open : GetAsync(change.Collection, CancellationToken.None).GetAwaiter().GetResult();
        index.Apply(change);
    }

    /// <summary>
    /// The collection's index commits once when the group ends instead of after each write
    /// (see <see cref="LuceneCollectionIndex.DeferCommits"/>).
    /// </summary>
    public IDisposable DeferCommits(CollectionInfo collection) => GetAsync(collection, CancellationToken.None).GetAwaiter().GetResult().DeferCommits();

    public void Drop(long collectionId)
    {
        if (_open.TryRemove(collectionId, out var index))
        {
            index.Delete();
        }
        else if (Directory.Exists(PathOf(collectionId)))
        {
            Directory.Delete(PathOf(collectionId), recursive: true);
        }
    }

    public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct)
    {
        if (!_open.TryGetValue(collection.Id, out var index))
        {
            return Task.FromResult(new IndexStats(Engine, 0, 0, "not loaded"));
        }

        var (entries, bytes) = index.Size();
        return Task.FromResult(new IndexStats(Engine, entries, bytes, index.Verdict, Version: index.Version, Follow: index.Follow));
    }

    /// <summary>
    /// From the collection's open index; from its last commit on disk when this process has not opened it (say, it served
    /// only dense searches before the store went away). A chunk id is never given twice, so a record found is the chunk's.
    /// </summary>
    public IReadOnlyDictionary<long, StoredChunk> Held(long collectionId, IReadOnlyCollection<long> chunkIds) =>
        _open.TryGetValue(collectionId, out var index) ? index.Records(chunkIds) : LuceneCollectionIndex.CommittedRecords(PathOf(collectionId), chunkIds);

    public long? HeldVersion(long collectionId) => _open.TryGetValue(collectionId, out var index) ? index.Version : null;

    public Task CatchUpAsync(long collectionId, long storeVersion, CancellationToken ct)
    {
        if (_open.TryGetValue(collectionId, out var index) && index.Version < storeVersion)
        {
            return Task.Run(() => index.EnsureCurrent(storeVersion, _source), ct);
        }

        return Task.CompletedTask;
    }

    public Task<ComponentStatus> CheckAsync(CancellationToken ct)
    {
        if (_lockFault is { } fault)
        {
            return Task.FromResult(ComponentStatus.Failed("bm25", fault));
        }

        try
        {
            Directory.CreateDirectory(_options.Directory);
            return Task.FromResult(ComponentStatus.On("bm25", $"lucene BM25F (k1={_options.Bm25.K1}, b={_options.Bm25.B}, header weight {_options.Bm25.HeaderWeight}) in {_options.Directory}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromResult(ComponentStatus.Failed("bm25", $"lucene index folder {_options.Directory}: {e.Message}"));
        }
    }

    public void Dispose()
    {
        foreach (var id in _open.Keys)
        {
            if (_open.TryRemove(id, out var index))
            {
                index.Dispose();
            }
        }
    }

    private string PathOf(long collectionId) => Path.Combine(_options.Directory, $"collection-{collectionId}");

    /// <summary>
    /// The collection's index for a search. Another process writing the same index folder (it holds Lucene's
    /// write.lock: two services on one Lucene folder) is a fault of the deployment, reported as storage unavailable
    /// (503) and as bm25 failed in readiness until an open succeeds, never as an internal error.
    /// </summary>
    private async Task<LuceneCollectionIndex> GetForReadAsync(CollectionInfo collection, CancellationToken ct)
    {
        try
        {
            var index = await GetAsync(collection, ct);
            _lockFault = null;
            return index;
        }
        catch (LockObtainFailedException e)
        {
            _lockFault = $"the Lucene index of collection '{collection.Name}' in {PathOf(collection.Id)} is locked by another process ({e.Message}); " +
                "one index folder serves one process: stop the other one or give each its own Rag:DatabasePath or Rag:Lucene:Directory";
            _logger.SearchRefused(_lockFault);
            throw new StorageUnavailableException(_lockFault, e);
        }
    }

    private async Task<LuceneCollectionIndex> GetAsync(CollectionInfo collection, CancellationToken ct)
    {
        if (_open.TryGetValue(collection.Id, out var index))
        {
            return index;
        }

        var gate = _openLocks.GetOrAdd(collection.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (_open.TryGetValue(collection.Id, out index))
            {
                return index;
            }

            index = await Task.Run(() => LuceneCollectionIndex.Open(PathOf(collection.Id), collection, _source, _changes, _options, _logger), ct);
            _open[collection.Id] = index;
            return index;
        }
        finally
        {
            gate.Release();
        }
    }
}
