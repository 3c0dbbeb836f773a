using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Security;

namespace RagService.Storage.Sqlite;

/// <summary>API keys in the same SQLite file as the knowledge base.</summary>
public sealed class SqliteApiKeyStore : IApiKeyStore
{
    private const string Columns = "SELECT id, client, role, collections, secret_hash, created_at, last_used_at, revoked_at, principals, delegate_within FROM api_keys";

    private readonly SqliteConnectionFactory _connections;

    public SqliteApiKeyStore(SqliteStoreOptions options)
    {
        // A data folder that cannot be written must not abort start-up (the knowledge store reports the fault).
        _connections = SqliteConnectionFactory.WithSchema(options);
    }

    public async Task CreateAsync(ApiKeyRecord key, int maxActivePerClient, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        // Immediate: two concurrent creations for one client cannot both see room for one more key.
        await using var tx = connection.BeginTransaction(deferred: false);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT count(*) FROM api_keys WHERE client = $client AND revoked_at IS NULL";
        cmd.Parameters.AddWithValue("$client", key.Client);
        if (Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) >= maxActivePerClient)
        {
            throw new TooManyActiveKeysException(key.Client, maxActivePerClient);
        }

        cmd.CommandText = """
            INSERT INTO api_keys(id, client, role, collections, secret_hash, created_at, principals, delegate_within)
            VALUES ($id, $client, $role, $collections, $hash, $created, $principals, $delegate)
            """;
        cmd.Parameters.AddWithValue("$principals", key.Principals is null ? DBNull.Value : JsonSerializer.Serialize(key.Principals));
        cmd.Parameters.AddWithValue("$delegate", key.DelegateWithin is null ? DBNull.Value : JsonSerializer.Serialize(key.DelegateWithin));
        cmd.Parameters.AddWithValue("$id", key.Id);
        cmd.Parameters.AddWithValue("$role", key.Role.ToString().ToLowerInvariant());
        cmd.Parameters.AddWithValue("$collections", key.Collections is null ? DBNull.Value : JsonSerializer.Serialize(key.Collections));
        cmd.Parameters.AddWithValue("$hash", key.SecretHash);
        cmd.Parameters.AddWithValue("$created", Format(key.CreatedAt));
        await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task<ApiKeyRecord?> GetAsync(string id, CancellationToken ct)
    {
        var found = await QueryAsync(Columns + " WHERE id = $id", ("$id", id), ct);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct) => QueryAsync(Columns + " ORDER BY created_at DESC, id", null, ct);

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken ct) =>
        await ExecuteAsync("UPDATE api_keys SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL", id, at, ct) == 1;

    public async Task TouchAsync(string id, DateTimeOffset at, CancellationToken ct) =>
        await ExecuteAsync("UPDATE api_keys SET last_used_at = $at WHERE id = $id", id, at, ct);

    public async Task<int> CountActiveAsync(CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM api_keys WHERE revoked_at IS NULL";
        return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private async Task<int> ExecuteAsync(string sql, string id, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$at", Format(at));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<IReadOnlyList<ApiKeyRecord>> QueryAsync(string sql, (string Name, string Value)? parameter, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        if (parameter is { } p)
        {
            cmd.Parameters.AddWithValue(p.Name, p.Value);
        }

        var keys = new List<ApiKeyRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            keys.Add(new ApiKeyRecord(
                reader.GetString(0),
                reader.GetString(1),
                Enum.Parse<ApiRole>(reader.GetString(2), ignoreCase: true),
                reader.IsDBNull(3) ? null : JsonSerializer.Deserialize<List<string>>(reader.GetString(3)),
                (byte[])reader.GetValue(4),
                Parse(reader.GetString(5)),
                reader.IsDBNull(6) ? null : Parse(reader.GetString(6)),
                reader.IsDBNull(7) ? null : Parse(reader.GetString(7)))
            {
                Principals = reader.IsDBNull(8) ? null : JsonSerializer.Deserialize<List<string>>(reader.GetString(8)),
                DelegateWithin = reader.IsDBNull(9) ? null : JsonSerializer.Deserialize<List<string>>(reader.GetString(9)),
            });
        }

        return keys;
    }

    private static string Format(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);
}
