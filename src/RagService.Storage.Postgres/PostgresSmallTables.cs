using System.Text.Json;
using RagService.Core.Ingestion;
using RagService.Core.Retrieval.Calibration;

namespace RagService.Storage.Postgres;

/// <summary>Each collection's fusion calibration as JSON in the shared database (deleted with the collection).</summary>
public sealed class PostgresFusionCalibrationStore(PostgresDatabase database) : IFusionCalibrationStore
{
    public Task<FusionCalibration?> GetAsync(long collectionId, CancellationToken ct) =>
        database.QueryFirstAsync("SELECT calibration FROM fusion_calibrations WHERE collection_id = $1", [collectionId],
            r => JsonSerializer.Deserialize<FusionCalibration>(r.GetString(0)), ct);

    /// <summary>A collection deleted meanwhile has no row to hang the calibration on: nothing is written.</summary>
    public Task PutAsync(long collectionId, FusionCalibration calibration, CancellationToken ct) =>
        database.ExecuteAsync("""
            INSERT INTO fusion_calibrations(collection_id, calibration) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM collections WHERE id = $1)
            ON CONFLICT (collection_id) DO UPDATE SET calibration = excluded.calibration
            """, [collectionId, JsonSerializer.Serialize(calibration)], ct);
}

/// <summary>The LLM's situating contexts by content hash, in the shared database, so replicas ask the LLM once per chunk.</summary>
public sealed class PostgresChunkContextCache(PostgresDatabase database) : IChunkContextCache
{
    public Task<string?> GetAsync(string key, CancellationToken ct) =>
        database.QueryFirstAsync("SELECT context FROM chunk_context_cache WHERE key = $1", [key], r => r.GetString(0), ct);

    public Task PutAsync(string key, string context, CancellationToken ct) =>
        database.ExecuteAsync("INSERT INTO chunk_context_cache(key, context) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET context = excluded.context", [key, context], ct);
}
