using System.Text.Json;
using Npgsql;
using RagService.Core.Security;

namespace RagService.Storage.Postgres;

/// <summary>API keys in the shared database (the SHA-256 of each secret, never the secret), so a key works on every replica.</summary>
public sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    private const string Columns = "SELECT id, client, role, collections, secret_hash, created_at, last_used_at, revoked_at, principals, delegate_within FROM api_keys";

    public Task CreateAsync(ApiKeyRecord key, int maxActivePerClient, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            // A transaction-scoped lock per client: two replicas creating keys for one client cannot both see room for one more.
            await using (var gate = PostgresDatabase.Command(connection, tx, "SELECT pg_advisory_xact_lock(hashtext('api_keys:' || $1))", key.Client))
            {
                await gate.ExecuteNonQueryAsync(ct);
            }

            await using (var count = PostgresDatabase.Command(connection, tx, "SELECT count(*) FROM api_keys WHERE client = $1 AND revoked_at IS NULL", key.Client))
            {
                if ((long)(await count.ExecuteScalarAsync(ct))! >= maxActivePerClient)
                {
                    throw new TooManyActiveKeysException(key.Client, maxActivePerClient);
                }
            }

            await using var insert = PostgresDatabase.Command(connection, tx,
                "INSERT INTO api_keys(id, client, role, collections, secret_hash, created_at, principals, delegate_within) VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::text[])",
                key.Id, key.Client, key.Role.ToString().ToLowerInvariant(), key.Collections is null ? null : JsonSerializer.Serialize(key.Collections),
                key.SecretHash, key.CreatedAt.UtcDateTime, key.Principals?.ToArray(), key.DelegateWithin?.ToArray());
            await insert.ExecuteNonQueryAsync(ct);
            return true;
        }, ct);

    public async Task<ApiKeyRecord?> GetAsync(string id, CancellationToken ct) =>
        await database.QueryFirstAsync(Columns + " WHERE id = $1", [id], Read, ct);

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct) => database.QueryAsync(Columns + " ORDER BY created_at DESC, id COLLATE \"C\"", [], Read, ct);

    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken ct) =>
        await database.ExecuteAsync("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", [id, at.UtcDateTime], ct) == 1;

    public Task TouchAsync(string id, DateTimeOffset at, CancellationToken ct) =>
        database.ExecuteAsync("UPDATE api_keys SET last_used_at = $2 WHERE id = $1", [id, at.UtcDateTime], ct);

    public async Task<int> CountActiveAsync(CancellationToken ct) =>
        (int)(await database.QueryAsync("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL", [], r => r.GetInt64(0), ct))[0];

    private static ApiKeyRecord Read(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        Enum.Parse<ApiRole>(r.GetString(2), ignoreCase: true),
        r.IsDBNull(3) ? null : JsonSerializer.Deserialize<List<string>>(r.GetString(3)),
        r.GetFieldValue<byte[]>(4),
        r.GetFieldValue<DateTimeOffset>(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
        r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7))
    {
        Principals = r.IsDBNull(8) ? null : r.GetFieldValue<string[]>(8),
        DelegateWithin = r.IsDBNull(9) ? null : r.GetFieldValue<string[]>(9),
    };
}
