using Microsoft.Data.Sqlite;

namespace RagService.Storage.Sqlite;

/// <summary>Creates the tables on first use. Each collection gets its own FTS5 table so BM25 statistics are per collection.</summary>
internal static class SqliteSchema
{
    public const int Version = 1;

    public static void Ensure(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS collections ({CollectionColumns});
            CREATE TABLE IF NOT EXISTS documents (
                id INTEGER PRIMARY KEY,
                collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                doc_key TEXT NOT NULL,
                title TEXT,
                content_hash TEXT NOT NULL,
                format TEXT NOT NULL,
                metadata TEXT NOT NULL,
                chunk_count INTEGER NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (collection_id, doc_key));
            CREATE TABLE IF NOT EXISTS chunks (
                id INTEGER PRIMARY KEY,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                text TEXT NOT NULL,
                heading_path TEXT NOT NULL,
                page INTEGER);
            CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id);
            CREATE TABLE IF NOT EXISTS chunk_context_cache (
                key TEXT PRIMARY KEY,
                context TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS chunk_vectors (
                chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
                vector BLOB NOT NULL);
            """ + JobTables;
        cmd.ExecuteNonQuery();
        MigrateCollectionIdsToAutoincrement(connection);
        cmd.CommandText = "SELECT count(*) FROM schema_info";
        if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
        {
            cmd.CommandText = $"INSERT INTO schema_info(version) VALUES ({Version})";
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// AUTOINCREMENT: a deleted collection's id is never given to a new one, so a write still carrying the old id can
    /// never land in a newer collection of the same name (and in-memory indexes keyed by id never mix two collections).
    /// </summary>
    private const string CollectionColumns = """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                settings TEXT NOT NULL,
                created_at TEXT NOT NULL,
                version INTEGER NOT NULL DEFAULT 0
        """;

    /// <summary>
    /// Databases created before ids were AUTOINCREMENT get the collections table rebuilt (SQLite's documented
    /// create-copy-drop-rename procedure, foreign keys off so the documents are kept). sqlite_sequence then starts
    /// above every existing id.
    /// </summary>
    private static void MigrateCollectionIdsToAutoincrement(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'collections'";
        if (cmd.ExecuteScalar() is not string ddl || ddl.Contains("AUTOINCREMENT", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        cmd.CommandText = "PRAGMA foreign_keys = OFF";
        cmd.ExecuteNonQuery();
        try
        {
            using var tx = connection.BeginTransaction(deferred: false);
            cmd.Transaction = tx;
            cmd.CommandText = $"""
                CREATE TABLE collections_autoincrement ({CollectionColumns});
                INSERT INTO collections_autoincrement(id, name, settings, created_at, version) SELECT id, name, settings, created_at, version FROM collections;
                DROP TABLE collections;
                ALTER TABLE collections_autoincrement RENAME TO collections;
                """;
            cmd.ExecuteNonQuery();
            tx.Commit();
        }
        finally
        {
            cmd.Transaction = null;
            cmd.CommandText = "PRAGMA foreign_keys = ON";
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Ingestion jobs and their per-document items; item content is kept until the job finishes so a restart can resume.</summary>
    private const string JobTables = """
        CREATE TABLE IF NOT EXISTS jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            collection TEXT NOT NULL,
            state TEXT NOT NULL,
            stage TEXT NOT NULL,
            prune INTEGER NOT NULL,
            idempotency_key TEXT,
            request_hash TEXT NOT NULL,
            error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT,
            UNIQUE (collection, idempotency_key));
        CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state);
        CREATE TABLE IF NOT EXISTS job_items (
            job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            path TEXT NOT NULL,
            action TEXT NOT NULL,
            status TEXT NOT NULL,
            sha256 TEXT,
            chunks INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            content BLOB,
            PRIMARY KEY (job_id, ordinal));
        """;

    public static string FtsTable(long collectionId) => $"fts_{collectionId}";

    /// <summary>
    /// Terms are produced by our own analyzer and joined by spaces; the ascii tokenizer treats every non-ASCII
    /// character as part of a token, so it only has to split on spaces and keep code joiners (- _ . / +).
    /// </summary>
    public static string CreateFts(long collectionId) =>
        $"CREATE VIRTUAL TABLE IF NOT EXISTS {FtsTable(collectionId)} USING fts5(body, header, tokenize = \"ascii tokenchars '-_./+'\")";
}
