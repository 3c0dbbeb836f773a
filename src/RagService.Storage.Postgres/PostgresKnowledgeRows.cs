using RagService.Core.Access;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// The rows of the shared knowledge store in PostgreSQL: collections, documents, and chunks carrying their terms
/// (text[]) and vector (real[]). Readers see committed writes only; writes are <see cref="PostgresKnowledgeTransaction"/>s.
/// </summary>
public sealed class PostgresKnowledgeRows(PostgresDatabase database) : IKnowledgeRows, IComponentHealth
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public Task<ComponentStatus> CheckAsync(CancellationToken ct) => database.CheckAsync(ct);

    public async Task<IKnowledgeTransaction> BeginWriteAsync(CancellationToken ct)
    {
        var connection = await database.OpenAsync(ct);
        try
        {
            return new PostgresKnowledgeTransaction(connection, await connection.BeginTransactionAsync(ct), database.Faults, database.Versions);
        }
        catch (Exception e)
        {
            await connection.DisposeAsync();
            throw database.Faults.Translate(e) ?? e;
        }
    }

    public async Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken ct)
    {
        if (database.Versions.TryGetCollection(name, out var known, out var generation))
        {
            return known;
        }

        var found = await database.QueryAsync(CollectionColumns + " WHERE name = $1", [name], ReadCollection, ct);
        if (found.Count == 0)
        {
            return null;
        }

        database.Versions.RememberCollection(found[0], generation);
        return found[0];
    }

    public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct) =>
        database.QueryAsync(CollectionColumns + " ORDER BY name COLLATE \"C\"", [], ReadCollection, ct);

    public async Task<CollectionStats> GetStatsAsync(CollectionInfo collection, AccessScope? access, CancellationToken ct)
    {
        var visible = access is null ? "" : PostgresFilter.AccessCondition(collection.Settings, "$2");
        var rows = await database.QueryAsync($"""
            SELECT (SELECT count(*) FROM documents d WHERE d.collection_id = $1{visible}), count(ch.id), coalesce(sum(octet_length(ch.text)), 0),
                   count(ch.vector), coalesce(sum(4 * cardinality(ch.vector)), 0)
            FROM documents d JOIN chunks ch ON ch.document_id = d.id WHERE d.collection_id = $1{visible}
            """, access is null ? [collection.Id] : [collection.Id, access.Principals.ToArray()], r => new CollectionStats((int)r.GetInt64(0), (int)r.GetInt64(1), r.GetInt64(2))
            {
                Vectors = (int)r.GetInt64(3),
                VectorBytes = r.GetInt64(4),
            }, ct);
        return rows[0];
    }

    public async Task<DocumentRecord?> GetDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct)
    {
        var found = await database.QueryAsync(DocumentColumns + " WHERE collection_id = $1 AND doc_key = $2", [collection.Id, documentId], ReadDocument, ct);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, AccessScope? access, CancellationToken ct) =>
        database.QueryAsync(
            DocumentColumns + $" d WHERE d.collection_id = $1{(access is null ? "" : PostgresFilter.AccessCondition(collection.Settings, "$4"))} ORDER BY d.doc_key COLLATE \"C\" LIMIT $2 OFFSET $3",
            access is null ? [collection.Id, limit, offset] : [collection.Id, limit, offset, access.Principals.ToArray()], ReadDocument, ct);

    public Task<IReadOnlyList<long>> ListChunkIdsAsync(CollectionInfo collection, string documentId, int offset, int limit, CancellationToken ct) =>
        database.QueryAsync("""
            SELECT ch.id FROM chunks ch JOIN documents d ON d.id = ch.document_id
            WHERE d.collection_id = $1 AND d.doc_key = $2 ORDER BY ch.ordinal LIMIT $3 OFFSET $4
            """, [collection.Id, documentId, limit, offset], r => r.GetInt64(0), ct);

    public async Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IReadOnlyList<long> chunkIds, CancellationToken ct)
    {
        if (chunkIds.Count == 0)
        {
            return [];
        }

        var found = await database.QueryAsync($"""
            SELECT {ChunkColumns}
            FROM chunks ch JOIN documents d ON d.id = ch.document_id WHERE ch.id = ANY($1)
            """, [chunkIds.ToArray()], r => ReadChunk(r, 0), ct);
        var byId = found.ToDictionary(c => c.ChunkId);
        return chunkIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    public async Task<IReadOnlyDictionary<long, ChunkPosition>> GetChunkPositionsAsync(IReadOnlyCollection<long> chunkIds, CancellationToken ct)
    {
        if (chunkIds.Count == 0)
        {
            return new Dictionary<long, ChunkPosition>();
        }

        var found = await database.QueryAsync("SELECT id, document_id, ordinal FROM chunks WHERE id = ANY($1)", [chunkIds.ToArray()],
            r => (Id: r.GetInt64(0), Position: new ChunkPosition(r.GetInt64(1), r.GetInt32(2))), ct);
        return found.ToDictionary(f => f.Id, f => f.Position);
    }

    /// <summary>A chunk as search hits show it, with its document (chunks ch JOIN documents d): read by <see cref="ReadChunk"/>.</summary>
    internal const string ChunkColumns = "ch.id, d.doc_key, d.title, ch.ordinal, ch.text, ch.heading_path, ch.page, d.metadata::text, d.updated_at";

    /// <summary>The <see cref="ChunkColumns"/> starting at column <paramref name="at"/>.</summary>
    internal static StoredChunk ReadChunk(NpgsqlDataReader r, int at) => StoredChunkColumns.Read(r, at, (row, i) => row.GetFieldValue<DateTimeOffset>(i));

    private const string CollectionColumns = "SELECT id, name, settings, created_at FROM collections";

    private const string DocumentColumns =
        "SELECT doc_key, title, content_hash, format, metadata::text, chunk_count, created_at, updated_at, source_sha256, ingest_signature, access FROM documents";

    private static CollectionInfo ReadCollection(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        JsonSerializer.Deserialize<CollectionSettings>(r.GetString(2), Json) ?? new CollectionSettings(),
        r.GetFieldValue<DateTimeOffset>(3));

    private static DocumentRecord ReadDocument(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.IsDBNull(1) ? null : r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(4), Json) ?? [],
        r.GetInt32(5),
        r.GetFieldValue<DateTimeOffset>(6),
        r.GetFieldValue<DateTimeOffset>(7),
        r.IsDBNull(8) ? null : new SyncSource(r.GetString(8), r.IsDBNull(9) ? "" : r.GetString(9))) { Access = r.IsDBNull(10) ? null : r.GetFieldValue<string[]>(10) };
}
