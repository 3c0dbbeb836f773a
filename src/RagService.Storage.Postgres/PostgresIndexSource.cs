using System.Text;
using Npgsql;
using RagService.Core.Indexing;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// What the search indexes read from PostgreSQL: versions (from <see cref="PostgresVersionCache"/> while it listens), filters as chunk ids, and read
/// snapshots to rebuild from.
/// </summary>
public sealed class PostgresIndexSource(PostgresDatabase database) : IIndexSource
{
    public async Task<long> GetVersionAsync(long collectionId, CancellationToken ct)
    {
        if (database.Versions.TryGet(collectionId, out var known, out var generation))
        {
            return known;
        }

        var version = await ReadCommittedVersionAsync(collectionId, ct);
        if (version > 0)
        {
            database.Versions.Remember(collectionId, version, generation);
        }

        return version;
    }

    public async Task<long> ReadCommittedVersionAsync(long collectionId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT version FROM collections WHERE id = $1", connection) { Parameters = { new() { Value = collectionId } } };
        return await cmd.ExecuteScalarAsync(ct) is long version ? version : 0;
    }

    public async Task<IReadOnlySet<long>?> ChunksMatchingAsync(CollectionInfo collection, SearchFilter filter, CancellationToken ct)
    {
        if (filter.IsEmpty)
        {
            return null;
        }

        await using var connection = await database.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand { Connection = connection };
        cmd.Parameters.Add(new NpgsqlParameter { Value = collection.Id });
        var sql = new StringBuilder("SELECT ch.id FROM chunks ch JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $1");
        PostgresFilter.Append(sql, cmd, filter, collection);
        cmd.CommandText = sql.ToString();
        var ids = new HashSet<long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    public IIndexSnapshot OpenSnapshot(long collectionId) => new Snapshot(database.Open(), collectionId);

    /// <summary>A repeatable-read, read-only transaction: everything read through it is the collection at <see cref="Version"/>.</summary>
    private sealed class Snapshot : IIndexSnapshot
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _tx;
        private readonly long _collectionId;

        public Snapshot(NpgsqlConnection connection, long collectionId)
        {
            _connection = connection;
            _collectionId = collectionId;
            _tx = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
            using var cmd = Command("""
                SELECT (SELECT version FROM collections WHERE id = $1),
                       (SELECT cardinality(ch.vector) FROM chunks ch JOIN documents d ON d.id = ch.document_id
                        WHERE d.collection_id = $1 AND ch.vector IS NOT NULL ORDER BY ch.id DESC LIMIT 1)
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
                SELECT ch.body_terms, ch.header_terms, d.access, {PostgresKnowledgeRows.ChunkColumns} FROM chunks ch JOIN documents d ON d.id = ch.document_id
                WHERE d.collection_id = $1 ORDER BY ch.id
                """);
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var record = PostgresKnowledgeRows.ReadChunk(reader, 3);
                yield return new IndexEntry(record.ChunkId, record.Text, reader.GetFieldValue<string[]>(0), reader.GetFieldValue<string[]>(1))
                {
                    Access = reader.IsDBNull(2) ? null : reader.GetFieldValue<string[]>(2),
                    Record = record,
                };
            }
        }

        public IEnumerable<(long ChunkId, float[] Vector)> ReadVectors(int dimension)
        {
            using var cmd = Command("""
                SELECT ch.id, ch.vector FROM chunks ch JOIN documents d ON d.id = ch.document_id
                WHERE d.collection_id = $1 AND cardinality(ch.vector) = $2 ORDER BY ch.id
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = dimension });
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                yield return (reader.GetInt64(0), reader.GetFieldValue<float[]>(1));
            }
        }

        public void Dispose()
        {
            _tx.Dispose();
            _connection.Dispose();
        }

        private NpgsqlCommand Command(string sql)
        {
            var cmd = new NpgsqlCommand(sql, _connection, _tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = _collectionId });
            return cmd;
        }
    }
}
