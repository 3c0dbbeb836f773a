using Microsoft.Data.Sqlite;

namespace RagService.Storage.Sqlite;

/// <summary>Creates the tables on first use. Each collection gets its own FTS5 table so BM25 statistics are per collection.</summary>
internal static class SqliteSchema
{
    /// <summary>2: a sync's bookkeeping (source_sha256, ingest_signature) moved from the metadata JSON into its own columns.</summary>
    public const int Version = 2;

    public static void Ensure(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS collections (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                settings TEXT NOT NULL,
                created_at TEXT NOT NULL,
                version INTEGER NOT NULL DEFAULT 0);
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
                source_sha256 TEXT,
                ingest_signature TEXT,
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
        cmd.CommandText = "SELECT count(*) FROM schema_info";
        if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
        {
            cmd.CommandText = $"INSERT INTO schema_info(version) VALUES ({Version})";
            cmd.ExecuteNonQuery();
        }

        MoveSyncBookkeepingOutOfMetadata(connection);
    }

    /// <summary>Version 1 databases kept a sync's source_sha256 and ingest_signature in the metadata JSON; move them into their columns, in one transaction.</summary>
    private static void MoveSyncBookkeepingOutOfMetadata(SqliteConnection connection)
    {
        using var tx = connection.BeginTransaction();
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT max(version) FROM schema_info";
        if (Convert.ToInt64(cmd.ExecuteScalar()) >= 2)
        {
            return;
        }

        cmd.CommandText = "SELECT count(*) FROM pragma_table_info('documents') WHERE name = 'source_sha256'";
        if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
        {
            cmd.CommandText = "ALTER TABLE documents ADD COLUMN source_sha256 TEXT; ALTER TABLE documents ADD COLUMN ingest_signature TEXT;";
            cmd.ExecuteNonQuery();
        }

        cmd.CommandText = """
            UPDATE documents SET
                source_sha256 = json_extract(metadata, '$.source_sha256'),
                ingest_signature = json_extract(metadata, '$.ingest_signature'),
                metadata = json_remove(metadata, '$.source_sha256', '$.ingest_signature')
            WHERE json_type(metadata, '$.source_sha256') IS NOT NULL OR json_type(metadata, '$.ingest_signature') IS NOT NULL;
            UPDATE schema_info SET version = 2;
            """;
        cmd.ExecuteNonQuery();
        tx.Commit();
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
