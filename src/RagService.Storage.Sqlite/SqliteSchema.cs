using Microsoft.Data.Sqlite;

namespace RagService.Storage.Sqlite;

/// <summary>Creates the tables on first use. Each collection gets its own FTS5 table so BM25 statistics are per collection.</summary>
internal static class SqliteSchema
{
    public const int Version = 1;

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
                UNIQUE (collection_id, doc_key));
            CREATE TABLE IF NOT EXISTS chunks (
                id INTEGER PRIMARY KEY,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                text TEXT NOT NULL,
                heading_path TEXT NOT NULL,
                page INTEGER);
            CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id);
            CREATE TABLE IF NOT EXISTS chunk_vectors (
                chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
                vector BLOB NOT NULL);
            """;
        cmd.ExecuteNonQuery();
        cmd.CommandText = "SELECT count(*) FROM schema_info";
        if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
        {
            cmd.CommandText = $"INSERT INTO schema_info(version) VALUES ({Version})";
            cmd.ExecuteNonQuery();
        }
    }

    public static string FtsTable(long collectionId) => $"fts_{collectionId}";

    /// <summary>
    /// Terms are produced by our own analyzer and joined by spaces; the ascii tokenizer treats every non-ASCII
    /// character as part of a token, so it only has to split on spaces and keep code joiners (- _ . / +).
    /// </summary>
    public static string CreateFts(long collectionId) =>
        $"CREATE VIRTUAL TABLE IF NOT EXISTS {FtsTable(collectionId)} USING fts5(body, header, tokenize = \"ascii tokenchars '-_./+'\")";
}
