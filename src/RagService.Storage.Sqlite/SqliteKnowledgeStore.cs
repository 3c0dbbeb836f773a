using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RagService.Core.Indexing;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>
/// The embedded knowledge store: collections, documents, chunks, their terms and vectors in one SQLite file in WAL mode
/// (readers never block on the writer); writes serialised per collection and done in one transaction. The search indexes
/// are derived: each committed write is handed to them (<see cref="ISearchIndex.Apply"/>) before the write lock is released.
/// </summary>
public sealed class SqliteKnowledgeStore : IKnowledgeStore, IComponentHealth
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly SqliteConnectionFactory _connections;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _writeLocks = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<ISearchIndex> _indexes;
    private readonly ILogger? _logger;

    /// <param name="indexes">The indexes derived from this store; none for a writer that leaves them to catch up by version.</param>
    public SqliteKnowledgeStore(SqliteStoreOptions options, IEnumerable<ISearchIndex>? indexes = null, ILogger? logger = null)
    {
        _connections = new SqliteConnectionFactory(options);
        _indexes = indexes?.ToList() ?? [];
        _logger = logger;
        Fault = StorageFault.EnsureSchema(_connections, logger);
    }

    public string DatabasePath => _connections.DatabasePath;

    /// <summary>Why the data folder cannot be written (found at start-up), or null. Writes are refused while it is set.</summary>
    public string? Fault { get; }

    /// <summary>Checks that the file can be read; used by the readiness probe.</summary>
    public async Task<ComponentStatus> CheckAsync(CancellationToken ct)
    {
        if (Fault is not null)
        {
            return ComponentStatus.Failed("store", Fault);
        }

        try
        {
            await using var connection = _connections.Open();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM collections";
            await cmd.ExecuteScalarAsync(ct);
            return ComponentStatus.On("store", $"sqlite {DatabasePath}");
        }
        catch (Exception e) when (e is SqliteException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return ComponentStatus.Failed("store", e.Message);
        }
    }

    public Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken ct) =>
        WriteAsync(name, async (cmd, tx) =>
        {
            var created = DateTimeOffset.UtcNow;
            cmd.CommandText = "INSERT INTO collections(name, settings, created_at) VALUES ($n, $s, $c) RETURNING id";
            cmd.Parameters.AddWithValue("$n", name);
            cmd.Parameters.AddWithValue("$s", JsonSerializer.Serialize(settings, Json));
            cmd.Parameters.AddWithValue("$c", created.ToString("O"));
            long id;
            try
            {
                id = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19)
            {
                throw new CollectionExistsException(name);
            }

            await tx.CommitAsync(ct);
            return new CollectionInfo(id, name, settings, created);
        }, ct);

    public async Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, name, settings, created_at FROM collections WHERE name = $n";
        cmd.Parameters.AddWithValue("$n", name);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadCollection(reader) : null;
    }

    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, name, settings, created_at FROM collections ORDER BY name";
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<CollectionInfo>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadCollection(reader));
        }

        return list;
    }

    public Task<bool> DeleteCollectionAsync(string name, CancellationToken ct) =>
        WriteAsync(name, async (cmd, tx) =>
        {
            cmd.CommandText = "DELETE FROM collections WHERE name = $n RETURNING id";
            cmd.Parameters.AddWithValue("$n", name);
            var id = await cmd.ExecuteScalarAsync(ct);
            if (id is null)
            {
                return false;
            }

            await tx.CommitAsync(ct);
            foreach (var index in _indexes)
            {
                index.Drop(Convert.ToInt64(id));
            }

            return true;
        }, ct);

    public async Task<CollectionStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT (SELECT count(*) FROM documents WHERE collection_id = $c),
                   count(ch.id), coalesce(sum(length(CAST(ch.text AS BLOB))), 0)
            FROM documents d JOIN chunks ch ON ch.document_id = d.id WHERE d.collection_id = $c
            """;
        cmd.Parameters.AddWithValue("$c", collection.Id);
        CollectionStats stats;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            stats = new CollectionStats(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2));
        }

        cmd.CommandText = """
            SELECT count(v.chunk_id), coalesce(sum(length(v.vector)), 0)
            FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c
            """;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            return stats with { Vectors = reader.GetInt32(0), VectorBytes = reader.GetInt64(1) };
        }
    }

    public async Task<DocumentRecord?> GetDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = DocumentColumns + " WHERE collection_id = $c AND doc_key = $k";
        cmd.Parameters.AddWithValue("$c", collection.Id);
        cmd.Parameters.AddWithValue("$k", documentId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadDocument(reader) : null;
    }

    public async Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = DocumentColumns + " WHERE collection_id = $c ORDER BY doc_key LIMIT $l OFFSET $o";
        cmd.Parameters.AddWithValue("$c", collection.Id);
        cmd.Parameters.AddWithValue("$l", limit);
        cmd.Parameters.AddWithValue("$o", offset);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<DocumentRecord>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(ReadDocument(reader));
        }

        return list;
    }

    public Task<WriteOutcome> UpsertDocumentAsync(CollectionInfo collection, DocumentWrite document, CancellationToken ct) =>
        WriteAsync(collection.Name, async (cmd, tx) =>
        {
            await EnsureCollectionStillExistsAsync(cmd, collection, ct);
            cmd.CommandText = "SELECT id, content_hash, created_at FROM documents WHERE collection_id = $c AND doc_key = $k";
            cmd.Parameters.AddWithValue("$c", collection.Id);
            cmd.Parameters.AddWithValue("$k", document.Id);
            long? existingId = null;
            string? createdAt = null;
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct))
                {
                    if (reader.GetString(1) == document.ContentHash)
                    {
                        return WriteOutcome.Unchanged;
                    }

                    existingId = reader.GetInt64(0);
                    createdAt = reader.GetString(2);
                }
            }

            var now = DateTimeOffset.UtcNow.ToString("O");
            IReadOnlyList<long> removed = existingId is { } oldId ? await DeleteDocumentRowsAsync(cmd, oldId, ct) : [];

            cmd.Parameters.Clear();
            cmd.CommandText = """
                INSERT INTO documents(collection_id, doc_key, title, content_hash, format, metadata, chunk_count, created_at, updated_at, source_sha256, ingest_signature)
                VALUES ($c, $k, $t, $h, $f, $m, $n, $ca, $ua, $ss, $is) RETURNING id
                """;
            cmd.Parameters.AddWithValue("$c", collection.Id);
            cmd.Parameters.AddWithValue("$k", document.Id);
            cmd.Parameters.AddWithValue("$t", (object?)document.Title ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$h", document.ContentHash);
            cmd.Parameters.AddWithValue("$f", document.Format);
            cmd.Parameters.AddWithValue("$m", JsonSerializer.Serialize(document.Metadata, Json));
            cmd.Parameters.AddWithValue("$n", document.Chunks.Count);
            cmd.Parameters.AddWithValue("$ca", createdAt ?? now);
            cmd.Parameters.AddWithValue("$ua", now);
            cmd.Parameters.AddWithValue("$ss", (object?)document.Source?.Sha256 ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$is", (object?)document.Source?.IngestSignature ?? DBNull.Value);
            var docRowId = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));

            var added = await InsertChunksAsync(cmd.Connection!, tx, docRowId, document.Chunks, ct);
            var version = await BumpVersionAsync(cmd, collection.Id, ct);
            var written = new IndexedDocument(document.Id, document.Metadata, DateTimeOffset.Parse(createdAt ?? now, CultureInfo.InvariantCulture), DateTimeOffset.Parse(now, CultureInfo.InvariantCulture));
            var change = new IndexChange(collection, version, removed, added, written);
            await PrepareAsync(change, ct);
            using var localWrite = LocalWrite(collection.Id);
            await tx.CommitAsync(ct);
            Publish(change);
            return existingId is null ? WriteOutcome.Created : WriteOutcome.Updated;
        }, ct);

    public Task<bool> DeleteDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct) =>
        WriteAsync(collection.Name, async (cmd, tx) =>
        {
            await EnsureCollectionStillExistsAsync(cmd, collection, ct);
            cmd.CommandText = "SELECT id FROM documents WHERE collection_id = $c AND doc_key = $k";
            cmd.Parameters.AddWithValue("$c", collection.Id);
            cmd.Parameters.AddWithValue("$k", documentId);
            if (await cmd.ExecuteScalarAsync(ct) is not long id)
            {
                return false;
            }

            var removed = await DeleteDocumentRowsAsync(cmd, id, ct);
            var version = await BumpVersionAsync(cmd, collection.Id, ct);
            var change = new IndexChange(collection, version, removed, [], new IndexedDocument(documentId, new Dictionary<string, string>(), default, default));
            await PrepareAsync(change, ct);
            using var localWrite = LocalWrite(collection.Id);
            await tx.CommitAsync(ct);
            Publish(change);
            return true;
        }, ct);

    /// <summary>
    /// Lets every index hold the write before it commits (<see cref="ISearchIndex.PrepareAsync"/>); an index that cannot
    /// throws, and the transaction, not committed, rolls back: the write fails whole.
    /// </summary>
    private async Task PrepareAsync(IndexChange change, CancellationToken ct)
    {
        foreach (var index in _indexes)
        {
            await index.PrepareAsync(change, ct);
        }
    }

    /// <summary>Tells every index that this process is about to commit a write to the collection (see <see cref="ISearchIndex.LocalWrite"/>).</summary>
    private CompositeDisposable LocalWrite(long collectionId) => new(_indexes.Select(index => index.LocalWrite(collectionId)).ToList());

    private sealed class CompositeDisposable(IReadOnlyList<IDisposable> parts) : IDisposable
    {
        public void Dispose()
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }
    }

    /// <summary>
    /// Hands a committed write to every index. SQLite already holds it, so an index that fails here is only behind:
    /// it logs and catches up from the store at its next search, when it sees the version it missed.
    /// </summary>
    private void Publish(IndexChange change)
    {
        foreach (var index in _indexes)
        {
            try
            {
                index.Apply(change);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                _logger?.LogWarning(e, "The {Engine} index could not apply version {Version} of collection {Collection}; it will catch up from SQLite",
                    index.Engine, change.Version, change.Collection.Name);
            }
        }
    }

    public async Task<IReadOnlyList<long>> ListChunkIdsAsync(CollectionInfo collection, string documentId, int offset, int limit, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT ch.id FROM chunks ch JOIN documents d ON d.id = ch.document_id
            WHERE d.collection_id = $c AND d.doc_key = $k ORDER BY ch.ordinal LIMIT $l OFFSET $o
            """;
        cmd.Parameters.AddWithValue("$c", collection.Id);
        cmd.Parameters.AddWithValue("$k", documentId);
        cmd.Parameters.AddWithValue("$l", limit);
        cmd.Parameters.AddWithValue("$o", offset);
        var ids = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    public async Task<IReadOnlyDictionary<long, ChunkPosition>> GetChunkPositionsAsync(IReadOnlyCollection<long> chunkIds, CancellationToken ct)
    {
        var positions = new Dictionary<long, ChunkPosition>(chunkIds.Count);
        if (chunkIds.Count == 0)
        {
            return positions;
        }

        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, document_id, ordinal FROM chunks WHERE id IN (SELECT value FROM json_each($ids))";
        cmd.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(chunkIds));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            positions[reader.GetInt64(0)] = new ChunkPosition(reader.GetInt64(1), reader.GetInt32(2));
        }

        return positions;
    }

    public async Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IReadOnlyList<long> chunkIds, CancellationToken ct)
    {
        if (chunkIds.Count == 0)
        {
            return [];
        }

        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = $"""
            SELECT ch.id, d.doc_key, d.title, ch.ordinal, ch.text, ch.heading_path, ch.page, d.metadata, d.updated_at
            FROM chunks ch JOIN documents d ON d.id = ch.document_id
            WHERE ch.id IN (SELECT value FROM json_each($ids))
            """;
        cmd.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(chunkIds));
        var byId = new Dictionary<long, StoredChunk>(chunkIds.Count);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var chunk = new StoredChunk(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt32(3),
                reader.GetString(4),
                JsonSerializer.Deserialize<List<string>>(reader.GetString(5), Json) ?? [],
                reader.IsDBNull(6) ? null : reader.GetInt32(6),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(7), Json) ?? [],
                DateTimeOffset.Parse(reader.GetString(8), CultureInfo.InvariantCulture));
            byId[chunk.ChunkId] = chunk;
        }

        return chunkIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    private SemaphoreSlim WriteLock(string collection) => _writeLocks.GetOrAdd(collection, _ => new SemaphoreSlim(1, 1));

    /// <summary>
    /// Runs one write under the collection's lock in an immediate transaction; <paramref name="work"/> commits, and
    /// anything it does not commit (an early return, an exception, a cancellation) is rolled back.
    /// </summary>
    private async Task<T> WriteAsync<T>(string collection, Func<SqliteCommand, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        if (Fault is not null)
        {
            throw new StorageUnavailableException(Fault);
        }

        var gate = WriteLock(collection);
        await gate.WaitAsync(ct);
        try
        {
            await using var connection = _connections.Open();
            await using var tx = connection.BeginTransaction(deferred: false);
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            return await work(cmd, tx);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<List<IndexEntry>> InsertChunksAsync(
        SqliteConnection connection, SqliteTransaction tx, long docRowId, IReadOnlyList<IndexedChunk> chunks, CancellationToken ct)
    {
        var added = new List<IndexEntry>(chunks.Count);
        await using var insertChunk = connection.CreateCommand();
        insertChunk.Transaction = tx;
        insertChunk.CommandText = "INSERT INTO chunks(document_id, ordinal, text, heading_path, page) VALUES ($d, $o, $t, $h, $p) RETURNING id";
        var pDoc = insertChunk.Parameters.Add("$d", SqliteType.Integer);
        var pOrd = insertChunk.Parameters.Add("$o", SqliteType.Integer);
        var pText = insertChunk.Parameters.Add("$t", SqliteType.Text);
        var pPath = insertChunk.Parameters.Add("$h", SqliteType.Text);
        var pPage = insertChunk.Parameters.Add("$p", SqliteType.Integer);

        await using var insertTerms = connection.CreateCommand();
        insertTerms.Transaction = tx;
        insertTerms.CommandText = "INSERT INTO chunk_terms(chunk_id, body, header) VALUES ($r, $b, $h)";
        var fRow = insertTerms.Parameters.Add("$r", SqliteType.Integer);
        var fBody = insertTerms.Parameters.Add("$b", SqliteType.Text);
        var fHeader = insertTerms.Parameters.Add("$h", SqliteType.Text);

        await using var insertVector = connection.CreateCommand();
        insertVector.Transaction = tx;
        insertVector.CommandText = "INSERT INTO chunk_vectors(chunk_id, vector) VALUES ($c, $v)";
        var vChunk = insertVector.Parameters.Add("$c", SqliteType.Integer);
        var vBlob = insertVector.Parameters.Add("$v", SqliteType.Blob);

        foreach (var item in chunks)
        {
            pDoc.Value = docRowId;
            pOrd.Value = item.Chunk.Ordinal;
            pText.Value = item.Chunk.Text;
            pPath.Value = JsonSerializer.Serialize(item.Chunk.HeadingPath, Json);
            pPage.Value = (object?)item.Chunk.Page ?? DBNull.Value;
            var chunkId = Convert.ToInt64(await insertChunk.ExecuteScalarAsync(ct));

            fRow.Value = chunkId;
            fBody.Value = ChunkTerms.Join(item.BodyTerms);
            fHeader.Value = ChunkTerms.Join(item.HeaderTerms);
            await insertTerms.ExecuteNonQueryAsync(ct);
            added.Add(new IndexEntry(chunkId, item.Chunk.Text, item.BodyTerms, item.HeaderTerms, item.Vector));

            if (item.Vector is { } vector)
            {
                vChunk.Value = chunkId;
                vBlob.Value = VectorBlob.ToBytes(vector);
                await insertVector.ExecuteNonQueryAsync(ct);
            }
        }

        return added;
    }

    /// <summary>Deletes a document's rows (chunks, terms and vectors cascade) and returns the ids of the chunks it had.</summary>
    private static async Task<List<long>> DeleteDocumentRowsAsync(SqliteCommand cmd, long documentRowId, CancellationToken ct)
    {
        cmd.Parameters.Clear();
        cmd.CommandText = "SELECT id FROM chunks WHERE document_id = $d";
        cmd.Parameters.AddWithValue("$d", documentRowId);
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
    }

    /// <summary>
    /// Re-checks, under the collection's write lock, that the collection the caller looked up earlier still exists with
    /// the same id and name: an ingest that started before a delete (and maybe a re-create) must not write anything.
    /// </summary>
    private static async Task EnsureCollectionStillExistsAsync(SqliteCommand cmd, CollectionInfo collection, CancellationToken ct)
    {
        cmd.Parameters.Clear();
        cmd.CommandText = "SELECT count(*) FROM collections WHERE id = $c AND name = $n";
        cmd.Parameters.AddWithValue("$c", collection.Id);
        cmd.Parameters.AddWithValue("$n", collection.Name);
        if (Convert.ToInt64(await cmd.ExecuteScalarAsync(ct)) == 0)
        {
            throw new CollectionGoneException(collection.Name);
        }

        cmd.Parameters.Clear();
    }

    private static async Task<long> BumpVersionAsync(SqliteCommand cmd, long collectionId, CancellationToken ct)
    {
        cmd.Parameters.Clear();
        cmd.CommandText = "UPDATE collections SET version = version + 1 WHERE id = $c RETURNING version";
        cmd.Parameters.AddWithValue("$c", collectionId);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));
    }

    private const string DocumentColumns =
        "SELECT doc_key, title, content_hash, format, metadata, chunk_count, created_at, updated_at, source_sha256, ingest_signature FROM documents";

    private static DocumentRecord ReadDocument(SqliteDataReader r) => new(
        r.GetString(0),
        r.IsDBNull(1) ? null : r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(4), Json) ?? [],
        r.GetInt32(5),
        DateTimeOffset.Parse(r.GetString(6), CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(r.GetString(7), CultureInfo.InvariantCulture),
        r.IsDBNull(8) ? null : new SyncSource(r.GetString(8), r.IsDBNull(9) ? "" : r.GetString(9)));

    private static CollectionInfo ReadCollection(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        JsonSerializer.Deserialize<CollectionSettings>(r.GetString(2), Json) ?? new CollectionSettings(),
        DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture));
}

