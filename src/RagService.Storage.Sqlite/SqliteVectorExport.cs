using System.Globalization;
using System.Text.Json;
using RagService.Core.Indexing;

namespace RagService.Storage.Sqlite;

/// <summary>A stored vector with the document fields a vector store keeps beside it (for `rag migrate-vectors`).</summary>
public sealed record ExportedVector(long ChunkId, IndexedDocument Document, float[] Vector);

/// <summary>Reads a collection's stored vectors page by page in chunk id order, without re-embedding anything.</summary>
public sealed class SqliteVectorExport(SqliteStoreOptions options)
{
    private readonly SqliteConnectionFactory _connections = new(options);

    /// <summary>The dimension of the newest vector (0: none) and how many vectors of that dimension the collection holds.</summary>
    public (int Dimension, long Count) Describe(long collectionId)
    {
        using var connection = _connections.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT COALESCE((SELECT length(v.vector) / 4 FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id
                    JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c ORDER BY v.chunk_id DESC LIMIT 1), 0)
            """;
        cmd.Parameters.AddWithValue("$c", collectionId);
        var dimension = Convert.ToInt32(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        cmd.CommandText = """
            SELECT count(*) FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id JOIN documents d ON d.id = ch.document_id
            WHERE d.collection_id = $c AND length(v.vector) = $bytes
            """;
        cmd.Parameters.AddWithValue("$bytes", dimension * sizeof(float));
        return (dimension, Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Up to <paramref name="limit"/> vectors of <paramref name="dimension"/> with chunk ids above <paramref name="afterChunkId"/>, in chunk id
    /// order.
    /// </summary>
    public IReadOnlyList<ExportedVector> ReadPage(long collectionId, int dimension, long afterChunkId, int limit)
    {
        using var connection = _connections.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            SELECT v.chunk_id, d.doc_key, d.metadata, d.created_at, d.updated_at, v.vector, d.access
            FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id JOIN documents d ON d.id = ch.document_id
            WHERE d.collection_id = $c AND length(v.vector) = $bytes AND v.chunk_id > $after
            ORDER BY v.chunk_id LIMIT $limit
            """;
        cmd.Parameters.AddWithValue("$c", collectionId);
        cmd.Parameters.AddWithValue("$bytes", dimension * sizeof(float));
        cmd.Parameters.AddWithValue("$after", afterChunkId);
        cmd.Parameters.AddWithValue("$limit", limit);
        var page = new List<ExportedVector>(limit);
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            var metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2)) ?? [];
            var document = new IndexedDocument(reader.GetString(1), metadata,
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture), DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture)) { Access = SqliteKnowledgeRows.ReadAccess(reader, 6) };
            page.Add(new ExportedVector(reader.GetInt64(0), document, VectorBlob.FromBytes((byte[])reader.GetValue(5))));
        }

        return page;
    }
}
