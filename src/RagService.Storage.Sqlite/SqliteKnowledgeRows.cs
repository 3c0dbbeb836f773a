using RagService.Core.Access;
using System.Text;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>
/// The rows of the embedded knowledge store: collections, documents, chunks, their terms and vectors in one SQLite
/// file in WAL mode (readers never block on the writer). Writes are immediate transactions
/// (<see cref="SqliteKnowledgeTransaction"/>); their order is <see cref="KnowledgeStore"/>'s.
/// </summary>
public sealed class SqliteKnowledgeRows : IKnowledgeRows, IComponentHealth
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly SqliteConnectionFactory _connections;

    public SqliteKnowledgeRows(SqliteStoreOptions options)
        : this(options, NullLogger.Instance)
    {
    }

    public SqliteKnowledgeRows(SqliteStoreOptions options, ILogger logger)
    {
        _connections = new SqliteConnectionFactory(options);
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

    public Task<IKnowledgeTransaction> BeginWriteAsync(CancellationToken ct)
    {
        if (Fault is not null)
        {
            throw new StorageUnavailableException(Fault);
        }

        // Off the caller's thread: an immediate transaction waits (busy timeout) while another process writes.
        return Task.Run<IKnowledgeTransaction>(() => SqliteFaults.Translate(() => new SqliteKnowledgeTransaction(_connections.Open())), ct);
    }

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


    public async Task<CollectionStats> GetStatsAsync(CollectionInfo collection, AccessScope? access, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        var visible = new StringBuilder();
        if (access is not null)
        {
            SqlFilter.AppendAccess(visible, cmd, access, collection.Settings);
        }

        cmd.CommandText = $"""
            SELECT (SELECT count(*) FROM documents d WHERE d.collection_id = $c{visible}),
                   count(ch.id), coalesce(sum(length(CAST(ch.text AS BLOB))), 0)
            FROM documents d JOIN chunks ch ON ch.document_id = d.id WHERE d.collection_id = $c{visible}
            """;
        cmd.Parameters.AddWithValue("$c", collection.Id);
        CollectionStats stats;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            stats = new CollectionStats(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2));
        }

        cmd.CommandText = $"""
            SELECT count(v.chunk_id), coalesce(sum(length(v.vector)), 0)
            FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c{visible}
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

    public async Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, AccessScope? access, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        var visible = new StringBuilder();
        if (access is not null)
        {
            SqlFilter.AppendAccess(visible, cmd, access, collection.Settings);
        }

        cmd.CommandText = DocumentColumns + $" d WHERE d.collection_id = $c{visible} ORDER BY d.doc_key LIMIT $l OFFSET $o";
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
            SELECT {ChunkColumns}
            FROM chunks ch JOIN documents d ON d.id = ch.document_id
            WHERE ch.id IN (SELECT value FROM json_each($ids))
            """;
        cmd.Parameters.AddWithValue("$ids", JsonSerializer.Serialize(chunkIds));
        var byId = new Dictionary<long, StoredChunk>(chunkIds.Count);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var chunk = ReadChunk(reader, 0);
            byId[chunk.ChunkId] = chunk;
        }

        return chunkIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>A chunk as search hits show it, with its document (chunks ch JOIN documents d): read by <see cref="ReadChunk"/>.</summary>
    internal const string ChunkColumns = "ch.id, d.doc_key, d.title, ch.ordinal, ch.text, ch.heading_path, ch.page, d.metadata, d.updated_at";

    /// <summary>The <see cref="ChunkColumns"/> starting at column <paramref name="at"/>.</summary>
    internal static StoredChunk ReadChunk(SqliteDataReader r, int at) =>
        StoredChunkColumns.Read(r, at, (row, i) => DateTimeOffset.Parse(row.GetString(i), CultureInfo.InvariantCulture));

    private const string DocumentColumns =
        "SELECT doc_key, title, content_hash, format, metadata, chunk_count, created_at, updated_at, source_sha256, ingest_signature, access FROM documents";

    private static DocumentRecord ReadDocument(SqliteDataReader r) => new(
        r.GetString(0),
        r.IsDBNull(1) ? null : r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(4), Json) ?? [],
        r.GetInt32(5),
        DateTimeOffset.Parse(r.GetString(6), CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(r.GetString(7), CultureInfo.InvariantCulture),
        r.IsDBNull(8) ? null : new SyncSource(r.GetString(8), r.IsDBNull(9) ? "" : r.GetString(9))) { Access = ReadAccess(r, 10) };

    /// <summary>A documents.access column: a JSON array of principals, or null.</summary>
    internal static IReadOnlyList<string>? ReadAccess(SqliteDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : JsonSerializer.Deserialize<List<string>>(r.GetString(ordinal), Json);

    private static CollectionInfo ReadCollection(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        JsonSerializer.Deserialize<CollectionSettings>(r.GetString(2), Json) ?? new CollectionSettings(),
        DateTimeOffset.Parse(r.GetString(3), CultureInfo.InvariantCulture));
}


