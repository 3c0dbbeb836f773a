using Microsoft.Extensions.Logging;
using RagService.VectorIndex;
using RagService.VectorIndex.Snapshots;

namespace RagService.Storage.Sqlite;

/// <summary>
/// One HNSW index per collection over the vectors stored in SQLite (the source of truth). It is loaded from its snapshot
/// file when the snapshot was taken at the collection's current version, otherwise rebuilt from SQLite (and the log says
/// why); this process's writes are applied as deltas, and the snapshot is written again when the store is disposed.
/// </summary>
internal sealed class VectorIndexCache(SqliteConnectionFactory connections, string snapshotDirectory, VectorIndexOptions options, ILogger? logger) : IDisposable
{
    private readonly VersionedCache<EmbeddedVectorIndex> _cache = new();
    private string? _snapshotFault = File.Exists(snapshotDirectory) ? $"the vector snapshot folder {snapshotDirectory} is a file" : null;

    /// <summary>Why snapshots cannot be read or written, or null. Dense retrieval reports itself failed meanwhile.</summary>
    public string? SnapshotFault => Volatile.Read(ref _snapshotFault);

    /// <summary>The collection's index at (at least) <paramref name="currentVersion"/>, or null when it has no vectors.</summary>
    public Task<EmbeddedVectorIndex?> GetAsync(long collectionId, long currentVersion, CancellationToken ct) =>
        _cache.GetAsync(collectionId, currentVersion, () => Load(collectionId), ct);

    /// <summary>See <see cref="VersionedCache{TIndex}.LocalWrite"/>.</summary>
    public IDisposable LocalWrite(long collectionId) => _cache.LocalWrite(collectionId);

    public void Apply(long collectionId, long newVersion, IEnumerable<long> removed, IEnumerable<(long Id, float[] Vector)> added) =>
        _cache.Apply(collectionId, newVersion, index =>
        {
            var toAdd = added.ToList();
            if (toAdd.Any(a => a.Vector.Length != index.Dimension))
            {
                return false; // another model's vectors: rebuild from SQLite
            }

            foreach (var id in removed)
            {
                index.Remove(id);
            }

            foreach (var (id, vector) in toAdd)
            {
                index.Upsert(id, vector);
            }

            return true;
        });

    /// <summary>Drops the index and its snapshot file (the collection was deleted).</summary>
    public void Forget(long collectionId)
    {
        _cache.Invalidate(collectionId);
        if (File.Exists(SnapshotPath(collectionId)))
        {
            File.Delete(SnapshotPath(collectionId));
        }
    }

    /// <summary>Writes every cached index's snapshot, so the next start loads instead of rebuilding.</summary>
    public void Dispose() => _cache.DrainTo(Save);

    private string SnapshotPath(long collectionId) => Path.Combine(snapshotDirectory, $"collection-{collectionId}.hnsw");

    private void Save(long collectionId, EmbeddedVectorIndex index, long version)
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

    private (EmbeddedVectorIndex?, long) Load(long collectionId)
    {
        using var connection = connections.Open();
        using var tx = connection.BeginTransaction(deferred: true);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.Parameters.AddWithValue("$c", collectionId);
        cmd.CommandText = """
            SELECT (SELECT version FROM collections WHERE id = $c),
                   (SELECT length(v.vector) / 4 FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id
                    JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c ORDER BY v.chunk_id DESC LIMIT 1)
            """;
        long version;
        int dimension;
        using (var reader = cmd.ExecuteReader())
        {
            reader.Read();
            version = reader.IsDBNull(0) ? 0 : reader.GetInt64(0);
            dimension = reader.IsDBNull(1) ? 0 : reader.GetInt32(1);
        }

        if (dimension == 0)
        {
            return (null, version);
        }

        LoadOrRebuildResult result;
        try
        {
            Directory.CreateDirectory(snapshotDirectory);
            result = VectorIndexSnapshot.LoadOrRebuild(SnapshotPath(collectionId), version, dimension, () => ReadVectors(cmd, dimension), logger, options);
            Volatile.Write(ref _snapshotFault, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = $"the vector snapshot folder {snapshotDirectory} cannot be used ({e.Message})";
            Volatile.Write(ref _snapshotFault, reason);
            throw new StorageUnavailableException(reason, e);
        }

        tx.Commit();
        return (result.Index, version);
    }

    private static IEnumerable<(long Id, float[] Vector)> ReadVectors(Microsoft.Data.Sqlite.SqliteCommand cmd, int dimension)
    {
        cmd.CommandText = """
            SELECT v.chunk_id, v.vector FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id
            JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c
            """;
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var blob = (byte[])reader.GetValue(1);
            // Vectors of another dimension were written by a previous model; their documents are re-embedded when re-ingested.
            if (blob.Length == dimension * sizeof(float))
            {
                yield return (reader.GetInt64(0), VectorBlob.FromBytes(blob));
            }
        }
    }
}
