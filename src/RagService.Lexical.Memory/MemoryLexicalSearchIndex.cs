using RagService.Core.Access;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Lexical.Memory;

/// <summary>
/// The "memory" BM25 engine: one in-memory <see cref="LexicalIndex"/> (BM25F) per collection, built from the terms stored
/// in the store and kept current by this process's writes; a version another process wrote is caught up from the
/// store's change log when one is given (rebuilt otherwise, see <see cref="VersionedCache{TIndex}"/>). Nothing is kept on disk.
/// </summary>
public sealed class MemoryLexicalSearchIndex(IIndexSource source, Bm25Parameters parameters, IChangeFeed? changes = null, VisibleChunkCache? visible = null)
    : ILexicalSearchIndex, IDisposable
{
    private readonly VisibleChunkCache _visible = visible ?? new VisibleChunkCache(source);
    private readonly VersionedCache<LexicalIndex> _cache = new();
    private readonly IndexFollowLedger _ledger = new();

    public string Engine => "memory";

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(
        CollectionInfo collection, IReadOnlyList<string> queryTerms, int limit, SearchFilter filter, CancellationToken ct)
    {
        if (queryTerms.Count == 0)
        {
            return [];
        }

        var version = await source.GetVersionAsync(collection.Id, ct);
        var allowed = await _visible.ChunksMatchingAsync(collection, filter, ct);
        var index = (await GetAsync(collection.Id, version, ct))!;
        return index.Search(queryTerms, limit, parameters, allowed is null ? null : allowed.Contains)
            .Select(h => new ScoredChunk(h.Id, h.Score)).ToList();
    }

    /// <summary>See <see cref="VersionedCache{TIndex}.LocalWrite"/>.</summary>
    public IDisposable LocalWrite(long collectionId) => _cache.LocalWrite(collectionId);

    public async Task<TermStatistics?> GetTermStatisticsAsync(CollectionInfo collection, IReadOnlyList<string> terms, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        var index = (await GetAsync(collection.Id, version, ct))!;
        return index.Statistics(terms);
    }

    public void Apply(IndexChange change) =>
        _cache.Apply(change.Collection.Id, change.Version, index =>
        {
            Apply(index, change.Removed, change.Added);
            return true;
        });

    public void Drop(long collectionId)
    {
        _cache.Invalidate(collectionId);
        _ledger.Forget(collectionId);
    }

    public long? HeldVersion(long collectionId) => _cache.HeldVersion(collectionId);

    public async Task CatchUpAsync(long collectionId, long storeVersion, CancellationToken ct)
    {
        if (_cache.HeldVersion(collectionId) < storeVersion)
        {
            await GetAsync(collectionId, storeVersion, ct);
        }
    }

    public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct)
    {
        var (index, _) = _cache.Peek(collection.Id);
        var follow = _ledger.Get(collection.Id);
        var load = index is null ? "not loaded" : follow.LastRebuild is { } why ? "rebuilt: " + why : "built from the store";
        return Task.FromResult(new IndexStats(Engine, index?.Count ?? 0, 0, load, Version: _cache.HeldVersion(collection.Id), Follow: follow));
    }

    public Task<ComponentStatus> CheckAsync(CancellationToken ct) =>
        Task.FromResult(ComponentStatus.On("bm25", $"memory BM25F (k1={parameters.K1}, b={parameters.B}, header weight {parameters.HeaderWeight})"));

    public void Dispose() => _cache.Dispose();

    private Task<LexicalIndex?> GetAsync(long collectionId, long version, CancellationToken ct)
    {
        // Without a change log a held index that fell behind is rebuilt; with one, CatchUp records the rebuilds.
        var rebuildWithoutLog = changes is null && _cache.HeldVersion(collectionId) is not null;
        return _cache.GetAsync(collectionId, version, () =>
        {
            if (rebuildWithoutLog)
            {
                _ledger.Rebuilt(collectionId, "the store moved on and no change log was given");
            }

            return Load(collectionId);
        }, ct, changes is null ? null : (index, from) => CatchUp(collectionId, index, from));
    }

    private long? CatchUp(long collectionId, LexicalIndex index, long fromVersion)
    {
        var read = changes!.ReadSince(collectionId, fromVersion);
        if (read.Delta is not { } delta)
        {
            _ledger.Rebuilt(collectionId, read.Gap!);
            return null;
        }

        Apply(index, delta.ToDelete, delta.Added);
        _ledger.CaughtUp(collectionId, delta.Versions);
        return delta.ToVersion;
    }

    private static void Apply(LexicalIndex index, IEnumerable<long> removed, IEnumerable<IndexEntry> added)
    {
        foreach (var id in removed)
        {
            index.Remove(id);
        }

        foreach (var entry in added)
        {
            index.Add(entry.ChunkId, entry.BodyTerms, entry.HeaderTerms);
        }
    }

    private (LexicalIndex?, long) Load(long collectionId)
    {
        using var snapshot = source.OpenSnapshot(collectionId);
        var index = new LexicalIndex();
        foreach (var entry in snapshot.ReadTerms())
        {
            index.Add(entry.ChunkId, entry.BodyTerms, entry.HeaderTerms);
        }

        return (index, snapshot.Version);
    }
}
