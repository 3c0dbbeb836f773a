using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using RagService.Core.ChangeLog;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// One read-committed PostgreSQL transaction over the knowledge tables. Writers of one collection, from any process,
/// queue on the collection's row lock (<see cref="LockCollectionAsync"/>); chunks arrive in one binary COPY under ids
/// drawn from the identity sequence with the document row. Connection faults surface as <see cref="StorageUnavailableException"/>.
/// </summary>
internal sealed class PostgresKnowledgeTransaction(NpgsqlConnection connection, NpgsqlTransaction tx, PostgresFaults faults, PostgresVersionCache versions) : IKnowledgeTransaction
{
    /// <summary>Versions this transaction set (-1: collection deleted), told to <see cref="PostgresVersionCache"/> once committed.</summary>
    private readonly Dictionary<long, long> _versionsSet = [];

    /// <summary>Chunk ids drawn with a document's row, by document row, until its chunks are inserted.</summary>
    private readonly Dictionary<long, long[]> _drawnChunkIds = [];

    private static readonly JsonSerializerOptions Json = PostgresKnowledgeRows.Json;

    public Task<long?> InsertCollectionAsync(string name, CollectionSettings settings, DateTimeOffset created, CancellationToken ct) =>
        ScalarAsync<long?>("INSERT INTO collections(name, settings, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING id",
            [name, JsonSerializer.Serialize(settings, Json), created.UtcDateTime], ct);

    public async Task<long?> DeleteCollectionAsync(string name, CancellationToken ct)
    {
        var id = await ScalarAsync<long?>($"DELETE FROM collections WHERE name = $1 RETURNING id, {PostgresVersionCache.NotifySql("id", "(-1)")}", [name], ct);
        if (id is { } deleted)
        {
            _versionsSet[deleted] = -1;
        }

        return id;
    }

    public async Task<bool> LockCollectionAsync(CollectionInfo collection, CancellationToken ct) =>
        await ScalarAsync<int?>("SELECT 1 FROM collections WHERE id = $1 AND name = $2 FOR UPDATE", [collection.Id, collection.Name], ct) is not null;

    public Task<DocumentRow?> FindDocumentAsync(long collectionId, string documentId, CancellationToken ct) =>
        RunAsync(async () =>
        {
            await using var cmd = Command("SELECT id, content_hash, created_at, access FROM documents WHERE collection_id = $1 AND doc_key = $2", collectionId, documentId);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new DocumentRow(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetFieldValue<string[]>(3))
                : null;
        });

    public Task<IReadOnlyList<long>> DeleteDocumentAsync(long documentRow, CancellationToken ct) =>
        RunAsync<IReadOnlyList<long>>(async () =>
        {
            await using var cmd = Command("""
                WITH gone AS (DELETE FROM chunks WHERE document_id = $1 RETURNING id), doc AS (DELETE FROM documents WHERE id = $1)
                SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM gone
                """, documentRow);
            return (long[])(await cmd.ExecuteScalarAsync(ct))!;
        });

    public Task<long> InsertDocumentAsync(long collectionId, DocumentWrite document, DateTimeOffset created, DateTimeOffset updated, CancellationToken ct) =>
        RunAsync(async () =>
        {
            // The chunk ids are drawn in the same round trip, for the InsertChunksAsync that follows.
            // The typed metadata values go to document_values in the same statement (PostgresMetadataValues).
            var (keys, types, values) = PostgresMetadataValues.Columns(document.Metadata);
            await using var cmd = Command($"""
                WITH doc AS (
                    INSERT INTO documents(collection_id, doc_key, title, content_hash, format, metadata, chunk_count, created_at, updated_at, source_sha256, ingest_signature, access)
                    VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12) RETURNING id),
                {PostgresMetadataValues.InsertWithDocumentSql}
                SELECT doc.id, ARRAY(SELECT nextval(pg_get_serial_sequence('chunks', 'id')) FROM generate_series(1, $7)) FROM doc
                """,
                collectionId, document.Id, (object?)document.Title ?? DBNull.Value, document.ContentHash, document.Format,
                JsonSerializer.Serialize(document.Metadata, Json), document.Chunks.Count, created.UtcDateTime, updated.UtcDateTime,
                (object?)document.Source?.Sha256 ?? DBNull.Value, (object?)document.Source?.IngestSignature ?? DBNull.Value, AccessArray(document.Access),
                keys, types, values);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var row = reader.GetInt64(0);
            _drawnChunkIds[row] = reader.GetFieldValue<long[]>(1);
            return row;
        });

    public Task<IReadOnlyList<long>> SetDocumentAccessAsync(long documentRow, IReadOnlyList<string>? access, CancellationToken ct) =>
        RunAsync<IReadOnlyList<long>>(async () =>
        {
            await using var update = Command("UPDATE documents SET access = $2 WHERE id = $1", documentRow, AccessArray(access));
            await update.ExecuteNonQueryAsync(ct);
            await using var cmd = Command("SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM chunks WHERE document_id = $1", documentRow);
            return (long[])(await cmd.ExecuteScalarAsync(ct))!;
        });

    /// <summary>An access list as a text[] parameter (typed, so that null is a null array).</summary>
    private static NpgsqlParameter AccessArray(IReadOnlyList<string>? access) =>
        new() { Value = access is null ? DBNull.Value : access.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text };

    public Task<IReadOnlyList<long>> InsertChunksAsync(long documentRow, IReadOnlyList<IndexedChunk> chunks, CancellationToken ct) =>
        RunAsync<IReadOnlyList<long>>(async () =>
        {
            if (chunks.Count == 0)
            {
                return [];
            }

            var drawn = _drawnChunkIds.Remove(documentRow, out var early) && early.Length == chunks.Count ? early.ToList() : await DrawChunkIdsAsync(chunks.Count, ct);
            drawn.Sort();
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY chunks (id, document_id, ordinal, text, heading_path, page, body_terms, header_terms, vector) FROM STDIN (FORMAT BINARY)", ct);
            var next = 0;
            foreach (var item in chunks)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(drawn[next++], NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(documentRow, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(item.Chunk.Ordinal, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(item.Chunk.Text, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(JsonSerializer.Serialize(item.Chunk.HeadingPath, Json), NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, item.Chunk.Page, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(item.BodyTerms.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await copy.WriteAsync(item.HeaderTerms.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, item.Vector, NpgsqlDbType.Array | NpgsqlDbType.Real, ct);
            }

            await copy.CompleteAsync(ct);
            return drawn;
        });

    public async Task<long> BumpVersionAsync(long collectionId, CancellationToken ct)
    {
        var version = (await ScalarAsync<long?>(
            $"UPDATE collections SET version = version + 1 WHERE id = $1 RETURNING version, {PostgresVersionCache.NotifySql("id", "version")}", [collectionId], ct))!.Value;
        _versionsSet[collectionId] = version;
        return version;
    }

    public Task AppendChangeAsync(ChangeRecord change, CancellationToken ct) =>
        RunAsync(async () =>
        {
            await using var cmd = Command("INSERT INTO change_log(collection_id, version, removed, added, access_changed) VALUES ($1, $2, $3, $4, $5)",
                change.CollectionId, change.Version, change.Removed.ToArray(), change.Added.ToArray(), change.AccessChanged.ToArray());
            return await cmd.ExecuteNonQueryAsync(ct);
        });

    public Task CommitAsync(CancellationToken ct) => RunAsync(async () =>
    {
        await tx.CommitAsync(ct);
        foreach (var (collectionId, version) in _versionsSet)
        {
            versions.Observe(collectionId, version);
        }

        return true;
    });

    public async ValueTask DisposeAsync()
    {
        await tx.DisposeAsync();
        await connection.DisposeAsync();
    }

    private async Task<List<long>> DrawChunkIdsAsync(int count, CancellationToken ct)
    {
        await using var ids = Command("SELECT nextval(pg_get_serial_sequence('chunks', 'id')) FROM generate_series(1, $1)", count);
        var drawn = new List<long>(count);
        await using var reader = await ids.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            drawn.Add(reader.GetInt64(0));
        }

        return drawn;
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

    private NpgsqlCommand Command(string sql, params object[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var value in parameters)
        {
            cmd.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value });
        }

        return cmd;
    }

    private Task<T> ScalarAsync<T>(string sql, object[] parameters, CancellationToken ct) => RunAsync(async () =>
    {
        await using var cmd = Command(sql, parameters);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T));
    });

    private async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (faults.Translate(e) is { } unavailable && e is not StorageUnavailableException)
        {
            throw unavailable;
        }
    }
}
