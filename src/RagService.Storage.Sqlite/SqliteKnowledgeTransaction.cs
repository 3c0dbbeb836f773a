using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.ChangeLog;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>
/// One immediate SQLite transaction over the knowledge tables (it takes the database's write lock at once, so writers
/// from other processes queue behind it). Deleting a document cascades to its chunks, terms and vectors.
/// </summary>
internal sealed class SqliteKnowledgeTransaction : IKnowledgeTransaction
{
    private static readonly JsonSerializerOptions Json = SqliteKnowledgeRows.Json;

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _tx;

    public SqliteKnowledgeTransaction(SqliteConnection connection)
    {
        _connection = connection;
        try
        {
            _tx = connection.BeginTransaction(deferred: false);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public Task<long?> InsertCollectionAsync(string name, CollectionSettings settings, DateTimeOffset created, CancellationToken ct) =>
        RunAsync(async cmd =>
        {
            cmd.CommandText = "INSERT INTO collections(name, settings, created_at) VALUES ($n, $s, $c) ON CONFLICT(name) DO NOTHING RETURNING id";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$s", JsonSerializer.Serialize(settings, Json));
            cmd.Parameters.AddWithValue("$c", Text(created));
            return await cmd.ExecuteScalarAsync(ct) is long id ? id : (long?)null;
        });

    public Task<long?> DeleteCollectionAsync(string name, CancellationToken ct) =>
        RunAsync(async cmd =>
        {
            cmd.CommandText = "DELETE FROM collections WHERE name = $n RETURNING id";
            cmd.Parameters.AddWithValue("$n", name);
            return await cmd.ExecuteScalarAsync(ct) is long id ? id : (long?)null;
        });

    /// <summary>The immediate transaction already holds the whole database; this only checks the collection is still the same one.</summary>
    public Task<bool> LockCollectionAsync(CollectionInfo collection, CancellationToken ct) =>
        RunAsync(async cmd =>
        {
            cmd.CommandText = "SELECT count(*) FROM collections WHERE id = $c AND name = $n";
            cmd.Parameters.AddWithValue("$c", collection.Id);
            cmd.Parameters.AddWithValue("$n", collection.Name);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct)) > 0;
        });

    public Task<DocumentRow?> FindDocumentAsync(long collectionId, string documentId, CancellationToken ct) =>
        RunAsync(async cmd =>
        {
            cmd.CommandText = "SELECT id, content_hash, created_at, access FROM documents WHERE collection_id = $c AND doc_key = $k";
            cmd.Parameters.AddWithValue("$c", collectionId);
            cmd.Parameters.AddWithValue("$k", documentId);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            return await reader.ReadAsync(ct)
                ? new DocumentRow(reader.GetInt64(0), reader.GetString(1), DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture),
                    SqliteKnowledgeRows.ReadAccess(reader, 3))
                : null;
        });

    public Task<IReadOnlyList<long>> DeleteDocumentAsync(long documentRow, CancellationToken ct) =>
        RunAsync<IReadOnlyList<long>>(async cmd =>
        {
            cmd.CommandText = "SELECT id FROM chunks WHERE document_id = $d";
            cmd.Parameters.AddWithValue("$d", documentRow);
            var removed = new List<long>();
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    removed.Add(reader.GetInt64(0));
                }
            }

            cmd.CommandText = "DELETE FROM documents WHERE id = $d";
            await cmd.ExecuteNonQueryAsync(ct);
            return removed;
        });

    public Task<long> InsertDocumentAsync(long collectionId, DocumentWrite document, DateTimeOffset created, DateTimeOffset updated, CancellationToken ct) =>
        RunAsync(async cmd =>
        {
            cmd.CommandText = """
                INSERT INTO documents(collection_id, doc_key, title, content_hash, format, metadata, chunk_count, created_at, updated_at, source_sha256, ingest_signature, access)
                VALUES ($c, $k, $t, $h, $f, $m, $n, $ca, $ua, $ss, $is, $ac) RETURNING id
                """;
            cmd.Parameters.AddWithValue("$ac", AccessText(document.Access));
            cmd.Parameters.AddWithValue("$c", collectionId);
            cmd.Parameters.AddWithValue("$k", document.Id);
            cmd.Parameters.AddWithValue("$t", (object?)document.Title ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$h", document.ContentHash);
            cmd.Parameters.AddWithValue("$f", document.Format);
            cmd.Parameters.AddWithValue("$m", JsonSerializer.Serialize(document.Metadata, Json));
            cmd.Parameters.AddWithValue("$n", document.Chunks.Count);
            cmd.Parameters.AddWithValue("$ca", Text(created));
            cmd.Parameters.AddWithValue("$ua", Text(updated));
            cmd.Parameters.AddWithValue("$ss", (object?)document.Source?.Sha256 ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$is", (object?)document.Source?.IngestSignature ?? DBNull.Value);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
        });

    public Task<IReadOnlyList<long>> SetDocumentAccessAsync(long documentRow, IReadOnlyList<string>? access, CancellationToken ct) =>
        RunAsync<IReadOnlyList<long>>(async cmd =>
        {
            cmd.CommandText = "UPDATE documents SET access = $ac WHERE id = $d";
            cmd.Parameters.AddWithValue("$d", documentRow);
            cmd.Parameters.AddWithValue("$ac", AccessText(access));
            await cmd.ExecuteNonQueryAsync(ct);
            cmd.CommandText = "SELECT id FROM chunks WHERE document_id = $d ORDER BY id";
            var chunks = new List<long>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                chunks.Add(reader.GetInt64(0));
            }

            return chunks;
        });

    private static object AccessText(IReadOnlyList<string>? access) => access is null ? DBNull.Value : JsonSerializer.Serialize(access, Json);

    public Task<IReadOnlyList<long>> InsertChunksAsync(long documentRow, IReadOnlyList<IndexedChunk> chunks, CancellationToken ct) =>
        RunAsync<IReadOnlyList<long>>(async insertChunk =>
        {
            insertChunk.CommandText = "INSERT INTO chunks(document_id, ordinal, text, heading_path, page) VALUES ($d, $o, $t, $h, $p) RETURNING id";
            var pDoc = insertChunk.Parameters.Add("$d", SqliteType.Integer);
            var pOrd = insertChunk.Parameters.Add("$o", SqliteType.Integer);
            var pText = insertChunk.Parameters.Add("$t", SqliteType.Text);
            var pPath = insertChunk.Parameters.Add("$h", SqliteType.Text);
            var pPage = insertChunk.Parameters.Add("$p", SqliteType.Integer);

            await using var insertTerms = Command();
            insertTerms.CommandText = "INSERT INTO chunk_terms(chunk_id, body, header) VALUES ($r, $b, $h)";
            var fRow = insertTerms.Parameters.Add("$r", SqliteType.Integer);
            var fBody = insertTerms.Parameters.Add("$b", SqliteType.Text);
            var fHeader = insertTerms.Parameters.Add("$h", SqliteType.Text);

            await using var insertVector = Command();
            insertVector.CommandText = "INSERT INTO chunk_vectors(chunk_id, vector) VALUES ($c, $v)";
            var vChunk = insertVector.Parameters.Add("$c", SqliteType.Integer);
            var vBlob = insertVector.Parameters.Add("$v", SqliteType.Blob);

            var ids = new List<long>(chunks.Count);
            foreach (var item in chunks)
            {
                pDoc.Value = documentRow;
                pOrd.Value = item.Chunk.Ordinal;
                pText.Value = item.Chunk.Text;
                pPath.Value = JsonSerializer.Serialize(item.Chunk.HeadingPath, Json);
                pPage.Value = (object?)item.Chunk.Page ?? DBNull.Value;
                var chunkId = Convert.ToInt64(await insertChunk.ExecuteScalarAsync(ct));
                ids.Add(chunkId);

                fRow.Value = chunkId;
                fBody.Value = ChunkTerms.Join(item.BodyTerms);
                fHeader.Value = ChunkTerms.Join(item.HeaderTerms);
                await insertTerms.ExecuteNonQueryAsync(ct);

                if (item.Vector is { } vector)
                {
                    vChunk.Value = chunkId;
                    vBlob.Value = VectorBlob.ToBytes(vector);
                    await insertVector.ExecuteNonQueryAsync(ct);
                }
            }

            return ids;
        });

    public Task<long> BumpVersionAsync(long collectionId, CancellationToken ct) =>
        RunAsync(async cmd =>
        {
            cmd.CommandText = "UPDATE collections SET version = version + 1 WHERE id = $c RETURNING version";
            cmd.Parameters.AddWithValue("$c", collectionId);
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
        });

    public Task AppendChangeAsync(ChangeRecord change, CancellationToken ct) =>
        RunAsync(async cmd =>
        {
            cmd.CommandText = "INSERT INTO change_log(collection_id, version, removed, added, access_changed) VALUES ($c, $v, $r, $a, $ac)";
            cmd.Parameters.AddWithValue("$c", change.CollectionId);
            cmd.Parameters.AddWithValue("$v", change.Version);
            cmd.Parameters.AddWithValue("$r", SqliteChangeFeed.JoinIds(change.Removed));
            cmd.Parameters.AddWithValue("$a", SqliteChangeFeed.JoinIds(change.Added));
            cmd.Parameters.AddWithValue("$ac", SqliteChangeFeed.JoinIds(change.AccessChanged));
            return await cmd.ExecuteNonQueryAsync(ct);
        });

    public Task CommitAsync(CancellationToken ct) => SqliteFaults.TranslateAsync(async () =>
    {
        await _tx.CommitAsync(ct);
        return true;
    });

    public async ValueTask DisposeAsync()
    {
        await _tx.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static string Text(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private SqliteCommand Command()
    {
        var cmd = _connection.CreateCommand();
        cmd.Transaction = _tx;
        return cmd;
    }

    private Task<T> RunAsync<T>(Func<SqliteCommand, Task<T>> work) => SqliteFaults.TranslateAsync(async () =>
    {
        await using var cmd = Command();
        return await work(cmd);
    });
}
