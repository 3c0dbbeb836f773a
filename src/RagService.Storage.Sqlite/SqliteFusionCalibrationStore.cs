using System.Text.Json;
using RagService.Core.Retrieval.Calibration;

namespace RagService.Storage.Sqlite;

/// <summary>Each collection's fusion calibration as JSON in the store's database (table fusion_calibrations; deleted with the collection).</summary>
public sealed class SqliteFusionCalibrationStore(SqliteStoreOptions options) : IFusionCalibrationStore
{
    private readonly SqliteConnectionFactory _connections = SqliteConnectionFactory.WithSchema(options);

    public async Task<FusionCalibration?> GetAsync(long collectionId, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT calibration FROM fusion_calibrations WHERE collection_id = $c";
        cmd.Parameters.AddWithValue("$c", collectionId);
        return await cmd.ExecuteScalarAsync(ct) is string json ? JsonSerializer.Deserialize<FusionCalibration>(json) : null;
    }

    public async Task PutAsync(long collectionId, FusionCalibration calibration, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        // A collection deleted meanwhile has no row to hang the calibration on: nothing is written.
        cmd.CommandText = """
            INSERT OR REPLACE INTO fusion_calibrations(collection_id, calibration)
            SELECT $c, $j WHERE EXISTS (SELECT 1 FROM collections WHERE id = $c)
            """;
        cmd.Parameters.AddWithValue("$c", collectionId);
        cmd.Parameters.AddWithValue("$j", JsonSerializer.Serialize(calibration));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
