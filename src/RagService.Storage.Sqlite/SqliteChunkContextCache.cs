using RagService.Core.Ingestion;

namespace RagService.Storage.Sqlite;

/// <summary>The LLM's situating contexts by content hash, in the store's database (table chunk_context_cache).</summary>
public sealed class SqliteChunkContextCache(SqliteStoreOptions options) : IChunkContextCache
{
    private readonly SqliteConnectionFactory _connections = SqliteConnectionFactory.WithSchema(options);

    public async Task<string?> GetAsync(string key, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT context FROM chunk_context_cache WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    public async Task PutAsync(string key, string context, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "INSERT OR REPLACE INTO chunk_context_cache(key, context) VALUES ($k, $v)";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", context);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
