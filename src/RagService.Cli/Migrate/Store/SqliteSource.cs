using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Storage.Sqlite;

namespace RagService.Cli.Migrate.Store;

/// <summary>
/// Reads a SQLite store's rows for `rag migrate-store`, read-only, in id order and page by page. The file is first
/// opened once as the service opens it, so an older schema is brought up to date before it is read.
/// </summary>
internal sealed class SqliteSource : IDisposable
{
    private static readonly string[] Unfinished = ["queued", "running"];

    private readonly SqliteConnection _connection;

    public SqliteSource(string path)
    {
        _ = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = path });
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(path), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        _connection.Open();
    }

    public IReadOnlyList<CollectionRow> Collections() =>
        Query("SELECT id, name, settings, created_at, version FROM collections ORDER BY id", [],
            r => new CollectionRow(r.GetInt64(0), r.GetString(1), r.GetString(2), Time(r, 3)!.Value, r.GetInt64(4)));

    /// <summary>The highest id the table's AUTOINCREMENT has given (deleted rows included), or its highest id.</summary>
    public long HighestId(string table) =>
        Convert.ToInt64(Scalar($"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = $t), 0), coalesce((SELECT max(id) FROM {table}), 0))", ("$t", table)));

    public IReadOnlyList<DocumentRow> Documents(long collectionId, long afterId, int limit) =>
        Query("""
            SELECT id, collection_id, doc_key, title, content_hash, format, metadata, chunk_count, created_at, updated_at, source_sha256, ingest_signature, access
            FROM documents WHERE collection_id = $c AND id > $a ORDER BY id LIMIT $n
            """, [("$c", collectionId), ("$a", afterId), ("$n", limit)],
            r => new DocumentRow(r.GetInt64(0), r.GetInt64(1), r.GetString(2), Text(r, 3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetInt32(7),
                Time(r, 8)!.Value, Time(r, 9)!.Value, Text(r, 10), Text(r, 11), JsonList(r, 12)));

    /// <summary>The chunks of the collection's documents with ids in (<paramref name="afterId"/>, <paramref name="lastId"/>], with terms and vectors.</summary>
    public IReadOnlyList<ChunkRow> Chunks(long collectionId, long afterId, long lastId) =>
        Query("""
            SELECT ch.id, ch.document_id, ch.ordinal, ch.text, ch.heading_path, ch.page, t.body, t.header, v.vector
            FROM chunks ch LEFT JOIN chunk_terms t ON t.chunk_id = ch.id LEFT JOIN chunk_vectors v ON v.chunk_id = ch.id
            WHERE ch.document_id IN (SELECT id FROM documents WHERE collection_id = $c AND id > $a AND id <= $l) ORDER BY ch.id
            """, [("$c", collectionId), ("$a", afterId), ("$l", lastId)],
            r => new ChunkRow(r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetInt32(5),
                Terms(r, 6), Terms(r, 7), r.IsDBNull(8) ? null : VectorBlob.FromBytes((byte[])r.GetValue(8))));

    public CollectionCounts Count(long collectionId) => Query("""
        SELECT (SELECT count(*) FROM documents WHERE collection_id = $c),
               (SELECT count(*) FROM chunks WHERE document_id IN (SELECT id FROM documents WHERE collection_id = $c)),
               (SELECT count(*) FROM chunk_vectors WHERE chunk_id IN (SELECT ch.id FROM chunks ch JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $c))
        """, [("$c", collectionId)], r => new CollectionCounts(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2)))[0];

    public IReadOnlyList<(long CollectionId, string Calibration)> Calibrations() =>
        Query("SELECT collection_id, calibration FROM fusion_calibrations ORDER BY collection_id", [], r => (r.GetInt64(0), r.GetString(1)));

    public IReadOnlyList<(string Key, string Context)> ContextCache(string afterKey, int limit) =>
        Query("SELECT key, context FROM chunk_context_cache WHERE key > $a ORDER BY key LIMIT $n", [("$a", afterKey), ("$n", limit)], r => (r.GetString(0), r.GetString(1)));

    public IReadOnlyList<KeyRow> Keys() =>
        Query("SELECT id, client, role, collections, secret_hash, created_at, last_used_at, revoked_at, principals, delegate_within FROM api_keys ORDER BY id", [],
            r => new KeyRow(r.GetString(0), r.GetString(1), r.GetString(2), Text(r, 3), (byte[])r.GetValue(4), Time(r, 5)!.Value, Time(r, 6), Time(r, 7),
                JsonList(r, 8), JsonList(r, 9)));

    /// <summary>Finished jobs (neither queued nor running) with their items, in id order after <paramref name="afterId"/>.</summary>
    public IReadOnlyList<JobRow> FinishedJobs(string afterId, int limit)
    {
        var jobs = Query($"""
            SELECT id, kind, collection, state, stage, prune, idempotency_key, request_hash, error, created_at, updated_at, finished_at
            FROM jobs WHERE state NOT IN ('{Unfinished[0]}', '{Unfinished[1]}') AND id > $a ORDER BY id LIMIT $n
            """, [("$a", afterId), ("$n", limit)],
            r => new JobRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5) != 0, Text(r, 6), r.GetString(7),
                Text(r, 8), Time(r, 9)!.Value, Time(r, 10)!.Value, Time(r, 11), []));
        return jobs.Select(job => job with
        {
            Items = Query("SELECT ordinal, path, action, status, sha256, chunks, error, content, warnings FROM job_items WHERE job_id = $j ORDER BY ordinal", [("$j", job.Id)],
                r => new JobItemRow(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), Text(r, 4), r.GetInt32(5), Text(r, 6),
                    r.IsDBNull(7) ? null : (byte[])r.GetValue(7), r.IsDBNull(8) ? null : JsonSerializer.Deserialize<string[]>(r.GetString(8)))),
        }).ToList();
    }

    public long CountFinishedJobs() => Convert.ToInt64(Scalar($"SELECT count(*) FROM jobs WHERE state NOT IN ('{Unfinished[0]}', '{Unfinished[1]}')"));

    public long CountKeys() => Convert.ToInt64(Scalar("SELECT count(*) FROM api_keys"));

    public void Dispose() => _connection.Dispose();

    private static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>A JSON array of strings as SQLite keeps access lists and key principals (null: none set).</summary>
    private static string[]? JsonList(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : JsonSerializer.Deserialize<string[]>(r.GetString(i));

    private static DateTimeOffset? Time(SqliteDataReader r, int i) =>
        r.IsDBNull(i) ? null : DateTimeOffset.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static string[] Terms(SqliteDataReader r, int i) => r.IsDBNull(i) ? [] : r.GetString(i).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = Command(sql, parameters);
        return cmd.ExecuteScalar();
    }

    private List<T> Query<T>(string sql, (string Name, object Value)[] parameters, Func<SqliteDataReader, T> map)
    {
        using var cmd = Command(sql, parameters);
        using var reader = cmd.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private SqliteCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        return cmd;
    }
}
