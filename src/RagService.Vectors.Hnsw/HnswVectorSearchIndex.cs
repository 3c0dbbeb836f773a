using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Core.Vectors;
using RagService.Vectors.Hnsw.Snapshots;

namespace RagService.Vectors.Hnsw;

/// <summary>
/// The embedded vector engine: one HNSW index per collection over the vectors stored in SQLite (the source of truth).
/// It is loaded from its snapshot file when the snapshot was taken at the collection's current version, otherwise rebuilt
/// from the store (and the log says why); this process's writes are applied as deltas, and the snapshots are written
/// again when the engine is disposed.
/// </summary>
public sealed class HnswVectorSearchIndex(IIndexSource source, string snapshotDirectory, VectorIndexOptions options, ILogger? logger = null)
    : IVectorSearchIndex, IDisposable
{
    private readonly VersionedCache<NeighbourIndex> _cache = new();
    private readonly ConcurrentDictionary<long, string> _verdicts = new();
    private string? _snapshotFault = File.Exists(snapshotDirectory) ? $"the vector snapshot folder {snapshotDirectory} is a file" : null;

    /// <summary>Why snapshots cannot be read or written, or null. Dense retrieval reports itself failed meanwhile.</summary>
    public string? SnapshotFault => Volatile.Read(ref _snapshotFault);

    public string Engine => "hnsw";

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(CollectionInfo collection, float[] query, int limit, SearchFilter filter, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        var allowed = await source.ChunksMatchingAsync(collection, filter, ct);
        var index = await _cache.GetAsync(collection.Id, version, () => Load(collection.Id), ct);
        if (index is null || index.Dimension != query.Length)
        {
            return [];
        }

        var hits = allowed is null ? index.Search(query, limit) : index.Search(query, limit, allowed);
        return hits.Select(h => new ScoredChunk(h.Id, h.Score)).ToList();
    }

    public void Apply(IndexChange change) =>
        _cache.Apply(change.Collection.Id, change.Version, index =>
        {
            var toAdd = change.Added.Where(a => a.Vector is not null).ToList();
            if (toAdd.Any(a => a.Vector!.Length != index.Dimension))
            {
                return false; // another model's vectors: rebuild from the store
            }

            foreach (var id in change.Removed)
            {
                index.Remove(id);
            }

            foreach (var entry in toAdd)
            {
                index.Upsert(entry.ChunkId, entry.Vector!);
            }

            return true;
        });

    /// <summary>See <see cref="VersionedCache{TIndex}.LocalWrite"/>.</summary>
    public IDisposable LocalWrite(long collectionId) => _cache.LocalWrite(collectionId);

    /// <summary>Drops the index and its snapshot file (the collection was deleted).</summary>
    public void Drop(long collectionId)
    {
        _cache.Invalidate(collectionId);
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
        var index = await _cache.GetAsync(collection.Id, version, () => Load(collection.Id), ct);
        var path = SnapshotPath(collection.Id);
        return new IndexStats(Engine, index?.Count ?? 0, File.Exists(path) ? new FileInfo(path).Length : 0,
            _verdicts.GetValueOrDefault(collection.Id, "not loaded"), index is HnswIndex hnsw ? DescribeGraph(hnsw) : null);
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
            : ComponentStatus.On("vectors", $"embedded HNSW (M={options.M}), snapshots in {snapshotDirectory}"));

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
            logger?.LogWarning(e, "Could not write the vector snapshot of collection {Collection}; it will be rebuilt at next start", collectionId);
        }
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
