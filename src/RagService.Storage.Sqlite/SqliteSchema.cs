using Microsoft.Data.Sqlite;

namespace RagService.Storage.Sqlite;

/// <summary>Creates the tables on first use, and moves the terms of a database written with FTS5 tables into chunk_terms.</summary>
internal static class SqliteSchema
{
    /// <summary>
    /// 2: a sync's bookkeeping (source_sha256, ingest_signature) moved from the metadata JSON into its own columns.
    /// 3: chunk ids are AUTOINCREMENT (never given again, see <see cref="ChunkColumns"/>).
    /// 4: job_items.warnings, the extractor's warnings for a document indexed with parts it could not read.
    /// 5: access lists: documents.access, api_keys.principals and api_keys.delegate_within (<see cref="AddAccessColumns"/>).
    /// 6: change_log, each write's added and removed chunk ids by collection version (see <see cref="ChangeLogTable"/>).
    /// 7: leased jobs: jobs.lease_owner and jobs.lease_until, and job_files, a job's files by SHA-256 (<see cref="AddJobLeases"/>).
    /// 8: change_log.access_changed, the chunks whose access list alone changed (<see cref="AddChangeLogAccessChanged"/>).
    /// </summary>
    public const int Version = 8;

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
                source_sha256 TEXT,
                ingest_signature TEXT,
                access TEXT,
                UNIQUE (collection_id, doc_key));
            CREATE TABLE IF NOT EXISTS chunks ({ChunkColumns});
            {ChunkIndexes}
            CREATE TABLE IF NOT EXISTS chunk_context_cache (
                key TEXT PRIMARY KEY,
                context TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS chunk_terms (
                chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
                body TEXT NOT NULL,
                header TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS chunk_vectors (
                chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
                vector BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS fusion_calibrations (
                collection_id INTEGER PRIMARY KEY REFERENCES collections(id) ON DELETE CASCADE,
                calibration TEXT NOT NULL);
            """ + JobTables + KeyTables + ChangeLogTable;
        cmd.ExecuteNonQuery();
        RebuildWithAutoincrement(connection, "collections", CollectionColumns, "id, name, settings, created_at, version", "");
        RebuildWithAutoincrement(connection, "chunks", ChunkColumns, "id, document_id, ordinal, text, heading_path, page", ChunkIndexes);
        cmd.CommandText = "SELECT count(*) FROM schema_info";
        if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
        {
            cmd.CommandText = $"INSERT INTO schema_info(version) VALUES ({Version})";
            cmd.ExecuteNonQuery();
        }

        MoveSyncBookkeepingOutOfMetadata(connection);
        AddJobItemWarnings(connection);
        AddAccessColumns(connection);
        AddJobLeases(connection);
        AddChangeLogAccessChanged(connection);
        cmd.CommandText = $"UPDATE schema_info SET version = {Version} WHERE version < {Version}";
        cmd.ExecuteNonQuery();
        MoveFtsTerms(connection);
    }

    /// <summary>
    /// Version 1 databases kept a sync's source_sha256 and ingest_signature in the metadata JSON; move them into their columns, in one transaction.
    /// </summary>
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

    /// <summary>Databases before version 4: job_items gains its warnings column (a JSON array of strings, null when none).</summary>
    private static void AddJobItemWarnings(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM pragma_table_info('job_items') WHERE name = 'warnings'";
        if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
        {
            cmd.CommandText = "ALTER TABLE job_items ADD COLUMN warnings TEXT";
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>
    /// Databases before version 5: documents.access (a JSON array of principals, null: the collection's default),
    /// api_keys.principals (the key's own principals) and api_keys.delegate_within (the patterns a delegating key may
    /// name), each a JSON array or null; in one transaction.
    /// </summary>
    private static void AddAccessColumns(SqliteConnection connection)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        foreach (var (table, column) in new[] { ("documents", "access"), ("api_keys", "principals"), ("api_keys", "delegate_within") })
        {
            cmd.CommandText = $"SELECT count(*) FROM pragma_table_info('{table}') WHERE name = '{column}'";
            if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
            {
                cmd.CommandText = $"ALTER TABLE {table} ADD COLUMN {column} TEXT";
                cmd.ExecuteNonQuery();
            }
        }

        tx.Commit();
    }

    /// <summary>
    /// Databases from before chunk_terms kept each collection's terms in an FTS5 table "fts_&lt;id&gt;"; copy them over
    /// and drop the table (FTS5 is no longer an engine: it scored 170-300 QPS against the in-memory index's thousands).
    /// </summary>
    private static void MoveFtsTerms(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'fts_[0-9]*' AND name NOT GLOB 'fts_*_*'";
        var tables = new List<string>();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            cmd.Transaction = tx;
            cmd.CommandText = $"""
                INSERT OR IGNORE INTO chunk_terms(chunk_id, body, header)
                SELECT f.rowid, f.body, f.header FROM {table} f JOIN chunks ch ON ch.id = f.rowid;
                DROP TABLE {table};
                """;
            cmd.ExecuteNonQuery();
            tx.Commit();
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
    /// AUTOINCREMENT: a deleted chunk's id is never given to a new chunk. Engines outside the store key their points by
    /// chunk id (Qdrant), so a re-saved document whose new chunks got its old ids back would have them deleted as
    /// "removed" by the very write that stored them.
    /// </summary>
    private const string ChunkColumns = """
        id INTEGER PRIMARY KEY AUTOINCREMENT,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                text TEXT NOT NULL,
                heading_path TEXT NOT NULL,
                page INTEGER
        """;

    private const string ChunkIndexes = "CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_id);";

    /// <summary>
    /// Tables created before their ids were AUTOINCREMENT are rebuilt in place (SQLite's documented
    /// create-copy-drop-rename procedure, foreign keys off so the rows that reference them are kept). sqlite_sequence
    /// then starts above every existing id.
    /// </summary>
    private static void RebuildWithAutoincrement(SqliteConnection connection, string table, string columns, string columnList, string indexes)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'";
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
                CREATE TABLE {table}_autoincrement ({columns});
                INSERT INTO {table}_autoincrement({columnList}) SELECT {columnList} FROM {table};
                DROP TABLE {table};
                ALTER TABLE {table}_autoincrement RENAME TO {table};
                {indexes}
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

    /// <summary>
    /// Databases before version 7 (and new ones): the lease a worker holds on a job (its owner and until when, ISO 8601
    /// UTC), and job_files, the files a job's items name by SHA-256, kept until the job finishes; in one transaction.
    /// </summary>
    private static void AddJobLeases(SqliteConnection connection)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT count(*) FROM pragma_table_info('jobs') WHERE name = 'lease_owner'";
        if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
        {
            cmd.CommandText = "ALTER TABLE jobs ADD COLUMN lease_owner TEXT; ALTER TABLE jobs ADD COLUMN lease_until TEXT;";
            cmd.ExecuteNonQuery();
        }

        cmd.CommandText = """
            CREATE TABLE IF NOT EXISTS job_files (
                job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                sha256 TEXT NOT NULL,
                bytes INTEGER NOT NULL,
                content BLOB NOT NULL,
                PRIMARY KEY (job_id, sha256));
            CREATE INDEX IF NOT EXISTS jobs_by_collection ON jobs(collection, created_at);
            """;
        cmd.ExecuteNonQuery();
        tx.Commit();
    }

    /// <summary>
    /// Databases before version 8: change_log gains access_changed, the chunk ids (space-separated, like removed and added)
    /// of a document whose access list alone changed, so that indexes keeping access beside the terms (Lucene) catch up.
    /// </summary>
    private static void AddChangeLogAccessChanged(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM pragma_table_info('change_log') WHERE name = 'access_changed'";
        if (Convert.ToInt64(cmd.ExecuteScalar()) == 0)
        {
            cmd.CommandText = "ALTER TABLE change_log ADD COLUMN access_changed TEXT NOT NULL DEFAULT ''";
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
            warnings TEXT,
            PRIMARY KEY (job_id, ordinal));
        """;

    /// <summary>
    /// The change log the derived indexes (this process's and other processes' on the same file) catch up from: one row
    /// per committed write, chunk ids as space-separated numbers. Trimmed by Rag:ChangeLog:RetainVersions.
    /// </summary>
    private const string ChangeLogTable = """
        CREATE TABLE IF NOT EXISTS change_log (
            collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            removed TEXT NOT NULL,
            added TEXT NOT NULL,
            access_changed TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (collection_id, version));
        """;

    /// <summary>API keys: the SHA-256 of the secret, never the secret; looked up by the public id that prefixes every key.</summary>
    private const string KeyTables = """
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY,
            client TEXT NOT NULL,
            role TEXT NOT NULL,
            collections TEXT,
            secret_hash BLOB NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT,
            principals TEXT,
            delegate_within TEXT);
        CREATE INDEX IF NOT EXISTS api_keys_by_client ON api_keys(client, revoked_at);
        """;
}
