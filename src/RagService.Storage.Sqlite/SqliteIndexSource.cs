using System.Text;
using Microsoft.Data.Sqlite;
using RagService.Core.Indexing;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>What the search indexes read from SQLite: versions, filters as chunk ids, and read snapshots to rebuild from.</summary>
public sealed class SqliteIndexSource(SqliteStoreOptions options) : IIndexSource
{
    private readonly SqliteConnectionFactory _connections = SqliteConnectionFactory.WithSchema(options);

    public string DatabasePath => _connections.DatabasePath;

    public async Task<long> GetVersionAsync(long collectionId, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT version FROM collections WHERE id = $c";
        cmd.Parameters.AddWithValue("$c", collectionId);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct) ?? 0L);
    }

    public async Task<IReadOnlySet<long>?> ChunksMatchingAsync(CollectionInfo collection, SearchFilter filter, CancellationToken ct)
    {
        if (filter.IsEmpty)
        {
            return null;
        }

        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        var sql = new StringBuilder("SELECT ch.id FROM chunks ch JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c");
        SqlFilter.Append(sql, cmd, filter, collection.Settings);
        cmd.CommandText = sql.ToString();
        cmd.Parameters.AddWithValue("$c", collection.Id);
        var ids = new HashSet<long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    public IIndexSnapshot OpenSnapshot(long collectionId) => new Snapshot(_connections.Open(), collectionId);

    /// <summary>A deferred read transaction: everything read through it is the collection at <see cref="Version"/>.</summary>
    private sealed class Snapshot : IIndexSnapshot
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _tx;
        private readonly long _collectionId;

        public Snapshot(SqliteConnection connection, long collectionId)
        {
            _connection = connection;
            _collectionId = collectionId;
            _tx = connection.BeginTransaction(deferred: true);
            using var cmd = Command("""
                SELECT (SELECT version FROM collections WHERE id = $c),
                       (SELECT length(v.vector) / 4 FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id
                        JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c ORDER BY v.chunk_id DESC LIMIT 1)
                """);
            using var reader = cmd.ExecuteReader();
            reader.Read();
            Version = reader.IsDBNull(0) ? 0 : reader.GetInt64(0);
            VectorDimension = reader.IsDBNull(1) ? 0 : reader.GetInt32(1);
        }

        public long Version { get; }

        public int VectorDimension { get; }

        public IEnumerable<IndexEntry> ReadTerms()
        {
            using var cmd = Command($"""
                SELECT t.body, t.header, d.access, {SqliteKnowledgeRows.ChunkColumns} FROM chunk_terms t JOIN chunks ch ON ch.id = t.chunk_id
                JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c ORDER BY t.chunk_id
                """);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var record = SqliteKnowledgeRows.ReadChunk(reader, 3);
                yield return new IndexEntry(record.ChunkId, record.Text, ChunkTerms.Split(reader.GetString(0)), ChunkTerms.Split(reader.GetString(1)))
                {
                    Access = SqliteKnowledgeRows.ReadAccess(reader, 2),
                    Record = record,
                };
            }
        }

        public IEnumerable<(long ChunkId, float[] Vector)> ReadVectors(int dimension)
        {
            using var cmd = Command("""
                SELECT v.chunk_id, v.vector FROM chunk_vectors v JOIN chunks ch ON ch.id = v.chunk_id
                JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c ORDER BY v.chunk_id
                """);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var blob = (byte[])reader.GetValue(1);
                if (blob.Length == dimension * sizeof(float))
                {
                    yield return (reader.GetInt64(0), VectorBlob.FromBytes(blob));
                }
            }
        }

        public void Dispose()
        {
            _tx.Dispose();
            _connection.Dispose();
        }

        private SqliteCommand Command(string sql)
        {
            var cmd = _connection.CreateCommand();
            cmd.Transaction = _tx;
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$c", _collectionId);
            return cmd;
        }
    }
}
