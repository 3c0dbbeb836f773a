using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using RagService.Core.Storage;
using RagService.Storage.Postgres;

namespace RagService.Cli.Migrate.Store;

/// <summary>
/// Writes `rag migrate-store`'s rows into a PostgreSQL store under the ids the source gave them (the identity
/// columns are "by default" for this). Every write is keyed on those ids, so running it again changes nothing that
/// is already there: a page of documents lands with all its chunks in one transaction or not at all.
/// </summary>
internal sealed class PostgresTarget(PostgresDatabase database)
{
    public string Location => database.Location;

    public Task<IReadOnlyList<(long Id, string Name)>> CollectionsAsync(CancellationToken ct) =>
        database.QueryAsync("SELECT id, name FROM collections ORDER BY id", [], r => (r.GetInt64(0), r.GetString(1)), ct);

    public Task UpsertCollectionAsync(CollectionRow c, CancellationToken ct) =>
        database.ExecuteAsync("""
            INSERT INTO collections(id, name, settings, created_at, version) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (id) DO UPDATE SET settings = EXCLUDED.settings, version = EXCLUDED.version
            """, [c.Id, c.Name, c.Settings, c.CreatedAt.UtcDateTime, c.Version], ct);

    /// <summary>
    /// Brings one page of documents up to date: those already there unchanged are kept, changed ones (and any other
    /// row holding one of their keys) are replaced, the rest are copied with their chunks.
    /// </summary>
    /// <returns>How many documents were copied now.</returns>
    public Task<int> WriteDocumentsAsync(IReadOnlyList<DocumentRow> documents, IReadOnlyList<ChunkRow> chunks, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var present = new Dictionary<long, (long Collection, string Key, string Hash, int Chunks, DateTimeOffset Updated, string Access)>();
            await using (var read = PostgresDatabase.Command(connection, tx,
                "SELECT id, collection_id, doc_key, content_hash, chunk_count, updated_at, access FROM documents WHERE id = ANY($1)", documents.Select(d => d.Id).ToArray()))
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    present[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), reader.GetFieldValue<DateTimeOffset>(5),
                        AccessKey(reader.IsDBNull(6) ? null : reader.GetFieldValue<string[]>(6)));
                }
            }

            var copy = documents.Where(d => !present.TryGetValue(d.Id, out var p) || p != (d.CollectionId, d.Key, d.ContentHash, d.ChunkCount, StoreTime.Truncate(d.UpdatedAt), AccessKey(d.Access))).ToList();
            if (copy.Count == 0)
            {
                return 0;
            }

            var ids = copy.Select(d => d.Id).ToArray();
            await using (var clear = PostgresDatabase.Command(connection, tx,
                "DELETE FROM documents WHERE id = ANY($1) OR (collection_id = $2 AND doc_key = ANY($3))", ids, copy[0].CollectionId, copy.Select(d => d.Key).ToArray()))
            {
                await clear.ExecuteNonQueryAsync(ct);
            }

            await CopyDocumentsAsync(connection, copy, ct);
            await PostgresMetadataValues.InsertAsync(connection,
                copy.Select(d => (d.Id, d.CollectionId, (IReadOnlyDictionary<string, string>)(JsonSerializer.Deserialize<Dictionary<string, string>>(d.Metadata) ?? []))), ct);
            var copied = ids.ToHashSet();
            await CopyChunksAsync(connection, chunks.Where(c => copied.Contains(c.DocumentId)), ct);
            return copy.Count;
        }, ct);

    /// <summary>Removes the collection's documents the source no longer holds (deleted there since an earlier run).</summary>
    public Task<int> DeleteDocumentsExceptAsync(long collectionId, IReadOnlyCollection<long> keep, CancellationToken ct) =>
        database.ExecuteAsync("DELETE FROM documents WHERE collection_id = $1 AND id <> ALL($2)", [collectionId, keep.ToArray()], ct);

    public Task UpsertCalibrationAsync(long collectionId, string calibration, CancellationToken ct) =>
        database.ExecuteAsync("""
            INSERT INTO fusion_calibrations(collection_id, calibration) VALUES ($1, $2)
            ON CONFLICT (collection_id) DO UPDATE SET calibration = EXCLUDED.calibration
            """, [collectionId, calibration], ct);

    public Task AddContextCacheAsync(IReadOnlyList<(string Key, string Context)> entries, CancellationToken ct) =>
        database.ExecuteAsync("INSERT INTO chunk_context_cache(key, context) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO NOTHING",
            [entries.Select(e => e.Key).ToArray(), entries.Select(e => e.Context).ToArray()], ct);

    /// <summary>Keys with their hashes as stored; a key already there takes the source's last use and revocation.</summary>
    public Task UpsertKeysAsync(IReadOnlyList<KeyRow> keys, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            foreach (var k in keys)
            {
                await using var upsert = PostgresDatabase.Command(connection, tx, """
                    INSERT INTO api_keys(id, client, role, collections, secret_hash, created_at, last_used_at, revoked_at, principals, delegate_within)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                    ON CONFLICT (id) DO UPDATE SET last_used_at = EXCLUDED.last_used_at, revoked_at = EXCLUDED.revoked_at
                    """, k.Id, k.Client, k.Role, k.Collections, k.SecretHash, k.CreatedAt.UtcDateTime, k.LastUsedAt?.UtcDateTime, k.RevokedAt?.UtcDateTime,
                    k.Principals, k.DelegateWithin);
                await upsert.ExecuteNonQueryAsync(ct);
            }

            return true;
        }, ct);

    /// <summary>Adds the jobs not there yet, each with its items; a job whose id (or idempotency key) is taken is left as it is.</summary>
    /// <returns>How many jobs were added now.</returns>
    public Task<int> AddJobsAsync(IReadOnlyList<JobRow> jobs, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            var added = 0;
            foreach (var j in jobs)
            {
                await using var insert = PostgresDatabase.Command(connection, tx, """
                    INSERT INTO jobs(id, kind, collection, state, stage, prune, idempotency_key, request_hash, error, created_at, updated_at, finished_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING
                    """, j.Id, j.Kind, j.Collection, j.State, j.Stage, j.Prune, j.IdempotencyKey, j.RequestHash, j.Error,
                    j.CreatedAt.UtcDateTime, j.UpdatedAt.UtcDateTime, j.FinishedAt?.UtcDateTime);
                if (await insert.ExecuteNonQueryAsync(ct) == 0)
                {
                    continue;
                }

                added++;
                foreach (var i in j.Items)
                {
                    await using var item = PostgresDatabase.Command(connection, tx, """
                        INSERT INTO job_items(job_id, ordinal, path, action, status, sha256, chunks, error, content, warnings)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                        """, j.Id, i.Ordinal, i.Path, i.Action, i.Status, i.Sha256, i.Chunks, i.Error, i.Content, i.Warnings);
                    item.Parameters[9].NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text;
                    await item.ExecuteNonQueryAsync(ct);
                }
            }

            return added;
        }, ct);

    /// <summary>
    /// Moves each identity sequence past the highest id the source ever gave (deleted rows included), so ids the
    /// service draws after the migration are never ones the source used.
    /// </summary>
    public Task AdvanceIdsAsync(IReadOnlyDictionary<string, long> highestSourceIds, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            foreach (var (table, highest) in highestSourceIds)
            {
                await using var advance = PostgresDatabase.Command(connection, tx, $"""
                    SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST($1, 1, (SELECT coalesce(max(id), 0) FROM {table}),
                        coalesce(pg_sequence_last_value(pg_get_serial_sequence('{table}', 'id')::regclass), 0)))
                    """, highest);
                await advance.ExecuteNonQueryAsync(ct);
            }

            return true;
        }, ct);

    public async Task<CollectionCounts> CountAsync(long collectionId, CancellationToken ct) =>
        (await database.QueryAsync("""
            SELECT (SELECT count(*) FROM documents WHERE collection_id = $1), count(ch.id), count(ch.vector)
            FROM documents d JOIN chunks ch ON ch.document_id = d.id WHERE d.collection_id = $1
            """, [collectionId], r => new CollectionCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)), ct))[0];

    public async Task<long> CountPresentAsync(string table, IReadOnlyCollection<string> ids, CancellationToken ct) =>
        (await database.QueryAsync($"SELECT count(*) FROM {table} WHERE id = ANY($1)", [ids.ToArray()], r => r.GetInt64(0), ct))[0];

    private static async Task CopyDocumentsAsync(NpgsqlConnection connection, IEnumerable<DocumentRow> documents, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY documents (id, collection_id, doc_key, title, content_hash, format, metadata, chunk_count, created_at, updated_at, source_sha256, ingest_signature, access)
            FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var d in documents)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(d.Id, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(d.CollectionId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(d.Key, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, d.Title, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(d.ContentHash, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(d.Format, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(d.Metadata, NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(d.ChunkCount, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(d.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(d.UpdatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
            await WriteNullableAsync(copy, d.SourceSha256, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, d.IngestSignature, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, d.Access, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
        }

        await copy.CompleteAsync(ct);
    }

    /// <summary>An access list as one comparable value ("\0" for none), so a list changed at the source counts as a change.</summary>
    private static string AccessKey(string[]? access) => access is null ? "\0" : string.Join('\n', access);

    private static async Task CopyChunksAsync(NpgsqlConnection connection, IEnumerable<ChunkRow> chunks, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY chunks (id, document_id, ordinal, text, heading_path, page, body_terms, header_terms, vector) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var c in chunks)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(c.Id, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(c.DocumentId, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(c.Ordinal, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(c.Text, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(c.HeadingPath, NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, c.Page, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(c.BodyTerms, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await copy.WriteAsync(c.HeaderTerms, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await WriteNullableAsync(copy, c.Vector, NpgsqlDbType.Array | NpgsqlDbType.Real, ct);
        }

        await copy.CompleteAsync(ct);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(ct);
        }
        else
        {
            await copy.WriteAsync(value, type, ct);
        }
    }
}
