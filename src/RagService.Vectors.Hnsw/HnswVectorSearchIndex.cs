using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Access;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Core.Vectors;
using RagService.Vectors.Hnsw.Snapshots;

namespace RagService.Vectors.Hnsw;

/// <summary>
/// The embedded vector engine: one HNSW index per collection over the vectors in the store (the source of truth). It
/// is loaded from its snapshot file and caught up from the store's change log when the snapshot is behind; rebuilt from
/// the store when there is no usable snapshot or the log does not reach back to it (the log says why). This process's
/// writes are applied as deltas, other processes' writes are caught up from the change log, and the snapshots are
/// written again when the engine is disposed.
/// </summary>
public sealed class HnswVectorSearchIndex(IIndexSource source, string snapshotDirectory, VectorIndexOptions options, ILogger logger,
    IChangeFeed? changes = null, VisibleChunkCache? visible = null)
    : IVectorSearchIndex, IDisposable
{
    private readonly VisibleChunkCache _visible = visible ?? new VisibleChunkCache(source);

    public HnswVectorSearchIndex(IIndexSource source, string snapshotDirectory, VectorIndexOptions options, IChangeFeed? changes = null,
        VisibleChunkCache? visible = null)
        : this(source, snapshotDirectory, options, NullLogger.Instance, changes, visible)
    {
    }

    private readonly VersionedCache<NeighbourIndex> _cache = new();
    private readonly IndexFollowLedger _ledger = new();
    private readonly ConcurrentDictionary<long, string> _verdicts = new();
    private string? _snapshotFault = File.Exists(snapshotDirectory) ? $"the vector snapshot folder {snapshotDirectory} is a file" : null;

    /// <summary>Why snapshots cannot be read or written, or null. Dense retrieval reports itself failed meanwhile.</summary>
    public string? SnapshotFault => Volatile.Read(ref _snapshotFault);

    public string Engine => "hnsw";

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(CollectionInfo collection, float[] query, int limit, SearchFilter filter, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        var allowed = await _visible.ChunksMatchingAsync(collection, filter, ct);
        var index = await GetAsync(collection.Id, version, ct);
        if (index is null || index.Dimension != query.Length)
        {
            return [];
        }

        var hits = allowed is null ? index.Search(query, limit) : index.Search(query, limit, allowed);
        return hits.Select(h => new ScoredChunk(h.Id, h.Score)).ToList();
    }

    public void Apply(IndexChange change) => _cache.Apply(change.Collection.Id, change.Version, index => ApplyDelta(index, change.Removed, change.Added));

    public long? HeldVersion(long collectionId) => _cache.HeldVersion(collectionId);

    public async Task CatchUpAsync(long collectionId, long storeVersion, CancellationToken ct)
    {
        if (_cache.HeldVersion(collectionId) < storeVersion)
        {
            await GetAsync(collectionId, storeVersion, ct);
        }
    }

    /// <summary>False when the delta holds another model's vectors: the index is then rebuilt from the store.</summary>
    private static bool ApplyDelta(NeighbourIndex index, IEnumerable<long> removed, IEnumerable<IndexEntry> added)
    {
        var toAdd = added.Where(a => a.Vector is not null).ToList();
        if (toAdd.Any(a => a.Vector!.Length != index.Dimension))
        {
            return false;
        }

        foreach (var id in removed)
        {
            index.Remove(id);
        }

        foreach (var entry in toAdd)
        {
            index.Upsert(entry.ChunkId, entry.Vector!);
        }

        return true;
    }

    private Task<NeighbourIndex?> GetAsync(long collectionId, long version, CancellationToken ct) =>
        _cache.GetAsync(collectionId, version, () => Load(collectionId), ct, changes is null ? null : (index, from) => CatchUp(collectionId, index, from));

    /// <summary>Applies the change log's delta from <paramref name="fromVersion"/>; the version reached, or null when the log cannot (rebuild).</summary>
    private long? CatchUp(long collectionId, NeighbourIndex index, long fromVersion)
    {
        var read = changes!.ReadSince(collectionId, fromVersion);
        var reason = read.Gap;
        if (read.Delta is { } delta)
        {
            if (ApplyDelta(index, delta.ToDelete, delta.Added))
            {
                _ledger.CaughtUp(collectionId, delta.Versions);
                return delta.ToVersion;
            }

            reason = "the change log holds vectors of another dimension (a new embedding model)";
        }

        _ledger.Rebuilt(collectionId, reason!);
        return null;
    }

    /// <summary>See <see cref="VersionedCache{TIndex}.LocalWrite"/>.</summary>
    public IDisposable LocalWrite(long collectionId) => _cache.LocalWrite(collectionId);

    /// <summary>Drops the index and its snapshot file (the collection was deleted).</summary>
    public void Drop(long collectionId)
    {
        _cache.Invalidate(collectionId);
        _ledger.Forget(collectionId);
        _verdicts.TryRemove(collectionId, out _);
        if (File.Exists(SnapshotPath(collectionId)))
        {
            File.Delete(SnapshotPath(collectionId));
        }
    }

    /// <summary>Loads the collection's index if needed, so that the graph check (<see cref="HnswIndex.CheckGraph"/>) sees the current graph.</summary>
    public async Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        var index = await GetAsync(collection.Id, version, ct);
        var path = SnapshotPath(collection.Id);
        return new IndexStats(Engine, index?.Count ?? 0, File.Exists(path) ? new FileInfo(path).Length : 0,
            _verdicts.GetValueOrDefault(collection.Id, "not loaded"), index is HnswIndex hnsw ? DescribeGraph(hnsw) : null,
            _cache.HeldVersion(collection.Id), _ledger.Get(collection.Id));
    }

    private static VectorGraphHealth DescribeGraph(HnswIndex index)
    {
        var health = index.CheckGraph();
        var bottom = health.Levels.Count > 0 ? health.Levels[0] : new GraphLevelHealth(0, 0, 0, 0);
        return new VectorGraphHealth(health.LiveNodes, health.UnreachableLiveNodes, bottom.InDegreeZero, bottom.Unreachable, health.Levels.Count, health.DuplicateGroupMembers);
    }

    public Task<ComponentStatus> CheckAsync(CancellationToken ct) =>
        Task.FromResult(SnapshotFault is { } fault
            ? ComponentStatus.Failed("vectors", fault + "; dense retrieval answers with BM25 only until it is fixed")
            : ComponentStatus.On("vectors", options.Quantization == VectorQuantization.Int8
                ? $"embedded HNSW (M={options.M}, int8 vectors, float re-scoring of {options.RescoreFactor}·k), snapshots in {snapshotDirectory}"
                : $"embedded HNSW (M={options.M}), snapshots in {snapshotDirectory}"));

    /// <summary>Writes every cached index's snapshot, so the next start loads instead of rebuilding.</summary>
    public void Dispose() => _cache.DrainTo(Save);

    private string SnapshotPath(long collectionId) => Path.Combine(snapshotDirectory, $"collection-{collectionId}.hnsw");

    private void Save(long collectionId, NeighbourIndex index, long version)
    {
        try
        {
            Directory.CreateDirectory(snapshotDirectory);
            index.SaveSnapshot(SnapshotPath(collectionId), version);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.SnapshotWriteFailed(e, collectionId);
        }
    }

    /// <summary>
    /// A snapshot taken at an older version than the store's, loaded and caught up from the change log (a replica that
    /// was stopped while others wrote); null when there is no such snapshot or the log does not reach back to it.
    /// </summary>
    private (NeighbourIndex, long)? TryLoadBehind(long collectionId, long storeVersion, int dimension)
    {
        var path = SnapshotPath(collectionId);
        if (changes is null || VectorIndexSnapshot.TryLoad(path, storeVersion, dimension, options: options) is not
            { Status: SnapshotStatus.Stale, SnapshotSourceVersion: { } taken } || taken > storeVersion)
        {
            return null;
        }

        var loaded = VectorIndexSnapshot.TryLoad(path, taken, dimension, options: options);
        if (loaded.Index is not { } index)
        {
            return null;
        }

        var read = changes.ReadSince(collectionId, taken);
        if (read.Delta is not { } delta || !ApplyDelta(index, delta.ToDelete, delta.Added))
        {
            index.Dispose();
            return null;
        }

        _ledger.CaughtUp(collectionId, delta.Versions);
        _verdicts[collectionId] = $"loaded at version {taken}, caught up to {delta.ToVersion} from the change log";
        logger.SnapshotCaughtUp(collectionId, taken, delta.ToVersion);
        return (index, delta.ToVersion);
    }

    private (NeighbourIndex?, long) Load(long collectionId)
    {
        using var snapshot = source.OpenSnapshot(collectionId);
        if (snapshot.VectorDimension == 0)
        {
            return (null, snapshot.Version);
        }

        var dimension = snapshot.VectorDimension;
        LoadOrRebuildResult result;
        try
        {
            Directory.CreateDirectory(snapshotDirectory);
            if (TryLoadBehind(collectionId, snapshot.Version, dimension) is { } caughtUp)
            {
                Volatile.Write(ref _snapshotFault, null);
                return caughtUp;
            }

            result = VectorIndexSnapshot.LoadOrRebuild(SnapshotPath(collectionId), snapshot.Version, dimension, () => snapshot.ReadVectors(dimension), logger, options);
            Volatile.Write(ref _snapshotFault, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = $"the vector snapshot folder {snapshotDirectory} cannot be used ({e.Message})";
            Volatile.Write(ref _snapshotFault, reason);
            throw new StorageUnavailableException(reason, e);
        }

        _verdicts[collectionId] = result.SnapshotStatus == SnapshotStatus.Loaded
            ? "loaded"
            : $"rebuilt: {result.SnapshotStatus.ToString().ToLowerInvariant()} ({result.Detail})";
        return (result.Index, snapshot.Version);
    }
}
