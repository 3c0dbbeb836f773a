using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using RagService.Api.Tests;
using RagService.Cli.Migrate.Store;
using RagService.Cli.Terminal;
using RagService.Core.Chunking;
using RagService.Core.Jobs;
using RagService.Core.Storage;
using RagService.Storage.Postgres;
using RagService.Storage.Sqlite;
using RagService.Tests.Shared;

namespace RagService.Cli.Tests;

/// <summary>
/// `rag migrate-store` as a user runs it: a SQLite store the real service wrote, copied into the real PostgreSQL server
/// RAG_POSTGRES names (skipped without one), then the service started on PostgreSQL. The oracle is the source itself:
/// its rows read back with SQL, and the answers the service gave on SQLite before the copy.
/// </summary>
public sealed class MigrateStoreTests : IDisposable
{
    private static readonly (string Id, string Text)[] Fruit =
    [
        ("apple", "苹果是红色的水果，甜，维生素丰富。"),
        ("lemon", "柠檬是黄色的水果，酸，夏天做柠檬水。"),
        ("grape", "葡萄是紫色的水果，每斤十元。"),
        ("oven", "错误代码表示温度传感器异常，烤箱门关紧。"),
        ("phone", "手机屏幕和电池的价格不便宜。"),
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("ragsvc-migrate-store-").FullName;
    private readonly PostgresTestDatabase _postgres = new();

    private static string Rag => Path.Combine(AppContext.BaseDirectory, "rag.dll");

    private string Db => Path.Combine(_dir, "kb.db");

    [Theory]
    [InlineData("mysql:kb.db", "postgres:Host=/tmp", "--from must be sqlite:PATH, not 'mysql:kb.db' (unknown scheme 'mysql')")]
    [InlineData("sqlite:/nonexistent/kb.db", "postgres:Host=/tmp", "--from: no SQLite database at /nonexistent/kb.db")]
    [InlineData("sqlite:EXISTING", "Host=/tmp", "--to must be postgres:CONN, not 'Host=/tmp' (no scheme)")]
    [InlineData("sqlite:EXISTING", "postgres:", "--to must be postgres:CONN: nothing after 'postgres:'")]
    [InlineData("sqlite:EXISTING", "postgres:Host=/tmp;Colour=blue", "is not an Npgsql connection string")]
    public async Task Bad_addresses_exit_2_saying_what_to_fix(string from, string to, string message)
    {
        await WriteSourceAsync(1);
        var (exit, _, stderr) = await CliProcess.RunAsync(Rag, ["migrate-store", "--from", from.Replace("EXISTING", Db, StringComparison.Ordinal), "--to", to]);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_exits_1_naming_postgresql_and_copies_nothing()
    {
        await WriteSourceAsync(1);
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "no-server")).FullName;
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Rag, ["migrate-store", "--from", $"sqlite:{Db}", "--to", $"postgres:Host={empty};Database=rag;Username=rag"]);
        Assert.Equal(1, exit);
        Assert.Contains($"cannot use the target: the store (PostgreSQL at {empty}:5432/rag) cannot be used now", stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was copied", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [SkippableFact]
    public async Task The_service_on_postgresql_answers_as_it_did_on_sqlite_with_every_row_copied_and_no_id_reused()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        string[] searches = ["红色的水果", "柠檬水", "温度传感器", "手机电池价格"];
        string[] modes = ["bm25", "dense", "hybrid"];
        var before = new Dictionary<string, string>();
        string key;
        await using (var sqlite = await ServiceHost.StartAsync([.. TestModelDirectories.ServiceArguments(), $"--Rag:DatabasePath={Db}"]))
        {
            foreach (var name in new[] { "kb", "notes" })
            {
                await sqlite.CreateCollectionAsync(name, new { name, contextualHeaders = false });
            }

            foreach (var (id, text) in Fruit)
            {
                await sqlite.IngestAsync("kb", new { id, text, metadata = new Dictionary<string, string> { ["shelf"] = id[..1], ["stock"] = id.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
            }

            await sqlite.IngestAsync("notes", new { id = "n1", title = "早餐", text = "早餐的价格便宜，会员积分优惠。" });
            // Re-saved: its first chunk ids were given and deleted, so the source's id sequence is ahead of its highest row.
            await sqlite.IngestAsync("kb", new { id = "apple", text = "苹果是红色的水果，甜，维生素丰富，每斤五元。", access = new[] { "group:hr" } });
            await sqlite.Client.DeleteAsync("/v1/collections/notes/documents/n1");
            await sqlite.IngestAsync("notes", new { id = "n2", text = "外卖披萨加芝士。" });
            // The newest chunk deleted too: the highest id the source gave is one it no longer holds.
            await sqlite.IngestAsync("notes", new { id = "n-temp", text = "夏天的西瓜。" });
            await sqlite.Client.DeleteAsync("/v1/collections/notes/documents/n-temp");
            var created = await sqlite.Client.PostAsJsonAsync("/v1/keys", new { client = "reader-app", role = "reader", principals = new[] { "group:hr" }, delegateWithin = new[] { "user:*@corp.example" } });
            key = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
            foreach (var query in searches)
            {
                foreach (var mode in modes)
                {
                    before[$"{mode} {query}"] = Hits(await sqlite.SearchAsync("kb", query, 3, mode));
                }
            }
        }

        var jobs = new SqliteJobStore(new SqliteStoreOptions { DatabasePath = Db });
        var finished = await AddJobAsync(jobs, "finished", "kb", finish: true);
        await AddJobAsync(jobs, "still-queued", "kb", finish: false);
        SqliteConnection.ClearAllPools();

        var (exit, stdout, stderr) = await MigrateAsync();

        Assert.True(exit == 0, stderr);
        Assert.Contains("kb: 5 documents, 5 copied now, 0 were already there", stdout, StringComparison.Ordinal);
        Assert.Contains("notes: 1 documents, 1 copied now, 0 were already there", stdout, StringComparison.Ordinal);
        Assert.Contains("counts agree", stdout, StringComparison.Ordinal);
        Assert.Contains("migrate-store: documents of", stderr, StringComparison.Ordinal);

        // Rows as the source holds them: chunk ids, texts and terms, vectors bit for bit, key hashes, finished jobs only.
        Assert.Equal(
            SqliteRows("SELECT ch.id || ' ' || d.doc_key || ' ' || ch.text || ' ' || t.body || ' ' || coalesce(json_extract(d.metadata, '$.shelf'), '-') FROM chunks ch JOIN documents d ON d.id = ch.document_id JOIN chunk_terms t ON t.chunk_id = ch.id ORDER BY ch.id"),
            PostgresRows("SELECT ch.id || ' ' || d.doc_key || ' ' || ch.text || ' ' || array_to_string(ch.body_terms, ' ') || ' ' || coalesce(d.metadata->>'shelf', '-') FROM chunks ch JOIN documents d ON d.id = ch.document_id ORDER BY ch.id"));
        Assert.Equal(
            SqliteRows("SELECT chunk_id, vector FROM chunk_vectors ORDER BY chunk_id", r => $"{r.GetInt64(0)} {Bits(VectorBlob.FromBytes((byte[])r.GetValue(1)))}"),
            PostgresRows("SELECT id, vector FROM chunks WHERE vector IS NOT NULL ORDER BY id", r => $"{r.GetInt64(0)} {Bits((float[])r.GetValue(1))}"));
        Assert.Equal(SqliteRows("SELECT id || ' ' || hex(secret_hash) FROM api_keys ORDER BY id"), PostgresRows("SELECT id || ' ' || upper(encode(secret_hash, 'hex')) FROM api_keys ORDER BY id"));
        // Typed values for range filters (document_values): "stock" reads as a number, "shelf" as nothing; apple was re-saved without metadata.
        Assert.Equal(["grape stock number 5", "lemon stock number 5", "oven stock number 4", "phone stock number 5"],
            PostgresRows("SELECT d.doc_key || ' ' || v.key || ' ' || v.type || ' ' || v.value FROM document_values v JOIN documents d ON d.id = v.document_id ORDER BY d.doc_key COLLATE \"C\""));
        Assert.Equal([$"{finished} succeeded 2"], PostgresRows("SELECT j.id || ' ' || j.state || ' ' || count(i.*) FROM jobs j JOIN job_items i ON i.job_id = j.id GROUP BY j.id, j.state"));

        var highestGiven = long.Parse(SqliteRows("SELECT seq FROM sqlite_sequence WHERE name = 'chunks'")[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(highestGiven > long.Parse(SqliteRows("SELECT max(id) FROM chunks")[0], System.Globalization.CultureInfo.InvariantCulture), "the source must have given ids it no longer holds");

        await using var postgres = await ServiceHost.StartAsync([.. TestModelDirectories.ServiceArguments(), "--Rag:Store=postgres", $"--Rag:Postgres:ConnectionString={_postgres.ConnectionString}"]);
        foreach (var (search, hits) in before)
        {
            var (mode, query) = (search[..search.IndexOf(' ', StringComparison.Ordinal)], search[(search.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            Assert.Equal((search, hits), (search, Hits(await postgres.SearchAsync("kb", query, 3, mode))));
        }

        // Access lists and key principals travel too: the reader key (group:hr) still sees the restricted apple.
        Assert.Equal(["apple group:hr"], PostgresRows("SELECT doc_key || ' ' || array_to_string(access, ',') FROM documents WHERE access IS NOT NULL"));
        Assert.Equal(["reader-app group:hr user:*@corp.example"],
            PostgresRows("SELECT client || ' ' || array_to_string(principals, ',') || ' ' || array_to_string(delegate_within, ',') FROM api_keys"));
        using var reader = postgres.CreateClient(key);
        Assert.Equal(HttpStatusCode.OK, (await reader.PostAsJsonAsync("/v1/collections/kb/search", new { query = "柠檬" })).StatusCode);
        var restricted = await reader.PostAsJsonAsync("/v1/collections/kb/search", new { query = "红色的水果", mode = "bm25" });
        Assert.Contains("apple", await restricted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await postgres.IngestAsync("notes", new { id = "n3", text = "冬天的西瓜贵。" });
        var newest = long.Parse(PostgresRows("SELECT ch.id FROM chunks ch JOIN documents d ON d.id = ch.document_id WHERE d.doc_key = 'n3'")[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(newest > highestGiven, $"chunk id {newest} was drawn again after the migration (the source had given up to {highestGiven})");
    }

    [SkippableFact]
    public async Task An_interrupted_run_keeps_whole_pages_and_the_rerun_continues_without_duplicating_then_follows_source_changes()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        await WriteSourceAsync(5);
        using (var source = new SqliteSource(Db))
        using (var database = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _postgres.ConnectionString }))
        {
            using var stop = new CancellationTokenSource();
            var migration = new StoreMigration(source, new PostgresTarget(database), pageSize: 2, TextWriter.Null);
            // The interruption: cancelled as soon as the first page of two documents is committed.
            var afterFirstPage = new ImmediateProgress(step => stop.Cancel());
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migration.RunAsync(afterFirstPage, stop.Token));
            Assert.Equal(2, migration.DocumentsCopied);
        }

        var firstTwo = SqliteRows("SELECT id FROM documents ORDER BY id LIMIT 2");
        Assert.Equal(firstTwo, PostgresRows("SELECT id FROM documents ORDER BY id"));
        Assert.Equal(SqliteRows("SELECT id FROM chunks WHERE document_id IN (SELECT id FROM documents ORDER BY id LIMIT 2) ORDER BY id"), PostgresRows("SELECT id FROM chunks ORDER BY id"));

        var (exit, stdout, stderr) = await MigrateAsync();
        Assert.True(exit == 0, stderr);
        Assert.Contains("kb: 5 documents, 3 copied now, 2 were already there", stdout, StringComparison.Ordinal);
        Assert.Equal(SqliteRows("SELECT id || ' ' || document_id || ' ' || ordinal FROM chunks ORDER BY id"), PostgresRows("SELECT id || ' ' || document_id || ' ' || ordinal FROM chunks ORDER BY id"));

        (exit, stdout, stderr) = await MigrateAsync();
        Assert.True(exit == 0, stderr);
        Assert.Contains("kb: 5 documents, 0 copied now, 5 were already there", stdout, StringComparison.Ordinal);

        // The source moves on between runs: one document deleted, one re-saved with new text.
        var store = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = Db });
        var kb = (await store.GetCollectionAsync("kb", default))!;
        await store.DeleteDocumentAsync(kb, "d0", default);
        await store.UpsertDocumentAsync(kb, Document("d1", "changed text"), default);
        SqliteConnection.ClearAllPools();

        (exit, stdout, stderr) = await MigrateAsync();
        Assert.True(exit == 0, stderr);
        Assert.Contains("kb: 4 documents, 1 copied now, 3 were already there, 1 no longer in the source removed", stdout, StringComparison.Ordinal);
        Assert.Equal(["changed text", "d1"], PostgresRows("SELECT ch.text FROM chunks ch JOIN documents d ON d.id = ch.document_id WHERE d.doc_key = 'd1' ORDER BY ch.ordinal"));
        Assert.Equal(SqliteRows("SELECT id || ' ' || document_id FROM chunks ORDER BY id"), PostgresRows("SELECT id || ' ' || document_id FROM chunks ORDER BY id"));
    }

    [SkippableFact]
    public async Task A_target_holding_other_collections_is_refused_with_nothing_written()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        await WriteSourceAsync(1);
        using (var database = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _postgres.ConnectionString }))
        {
            await new PostgresKnowledgeStore(database).CreateCollectionAsync("theirs", new CollectionSettings(), default);
        }

        var (exit, _, stderr) = await MigrateAsync();

        Assert.Equal(1, exit);
        Assert.Contains("holds collection(s) this SQLite store does not: 'theirs' (id 1)", stderr, StringComparison.Ordinal);
        Assert.Equal(["theirs"], PostgresRows("SELECT name FROM collections"));
        Assert.Equal(["0"], PostgresRows("SELECT count(*) FROM documents"));
    }

    [SkippableFact]
    public async Task A_job_the_target_cannot_take_fails_the_count_check_with_exit_1()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        await WriteSourceAsync(1);
        await AddJobAsync(new SqliteJobStore(new SqliteStoreOptions { DatabasePath = Db }), "sqlite-job", "kb", finish: true, idempotencyKey: "nightly");
        using (var database = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _postgres.ConnectionString }))
        {
            // The target already ran a job under the same idempotency key, so the source's cannot be stored beside it.
            await AddJobAsync(new PostgresJobStore(database), "postgres-job", "kb", finish: true, idempotencyKey: "nightly");
        }

        var (exit, stdout, stderr) = await MigrateAsync();

        Assert.Equal(1, exit);
        Assert.Contains("count check failed:\n  finished jobs: SQLite holds 1, PostgreSQL 0 of them", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("counts agree", stdout, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _postgres.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> MigrateAsync() =>
        CliProcess.RunAsync(Rag, ["migrate-store", "--from", $"sqlite:{Db}", "--to", $"postgres:{_postgres.ConnectionString}", "--page", "2"]);

    private static string Hits(JsonElement search) =>
        string.Join(" | ", search.GetProperty("hits").EnumerateArray().Select(h => $"{h.GetProperty("documentId").GetString()}: {h.GetProperty("text").GetString()}"));

    private static DocumentWrite Document(string id, string text) =>
        new(id, null, "hash-" + text, "text", new Dictionary<string, string>(),
            [new IndexedChunk(new Chunk(0, text, [], null), text.Split(' '), [], [text.Length, 1f]), new IndexedChunk(new Chunk(1, id, [], null), [id], [], null)]);

    private async Task WriteSourceAsync(int documents)
    {
        var store = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = Db });
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        for (var i = 0; i < documents; i++)
        {
            await store.UpsertDocumentAsync(kb, Document($"d{i}", $"text of document {i}"), default);
        }

        SqliteConnection.ClearAllPools();
    }

    private static async Task<string> AddJobAsync(IJobStore jobs, string id, string collection, bool finish, string? idempotencyKey = null)
    {
        var (job, _) = await jobs.CreateAsync(new NewJob("sync", collection, Prune: false, idempotencyKey, "request-hash",
            [new NewJobItem("a.md", SyncAction.Add, ItemStatus.Pending, "sha-a", [1, 2], null), new NewJobItem("b.md", SyncAction.Add, ItemStatus.Pending, "sha-b", [3], null)], id), default);
        if (finish)
        {
            await jobs.CompleteItemAsync(job.Id, 0, ItemStatus.Done, SyncAction.Add, 1, null, [], default);
            await jobs.CompleteItemAsync(job.Id, 1, ItemStatus.Done, SyncAction.Add, 1, null, ["page 2 unreadable"], default);
            await jobs.FinishAsync(job.Id, JobState.Succeeded, null, default);
        }

        SqliteConnection.ClearAllPools();
        return job.Id;
    }

    private static string Bits(float[] vector) => string.Join(',', vector.Select(BitConverter.SingleToInt32Bits));

    private static string First(System.Data.IDataRecord r) => Convert.ToString(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!;

    private List<string> SqliteRows(string sql, Func<System.Data.IDataRecord, string>? map = null)
    {
        using var connection = new SqliteConnection($"Data Source={Db};Pooling=false");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add((map ?? First)(reader));
        }

        return rows;
    }

    private List<string> PostgresRows(string sql, Func<System.Data.IDataRecord, string>? map = null)
    {
        using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add((map ?? First)(reader));
        }

        return rows;
    }

    /// <summary>A progress report that runs its action on the reporting thread, at once (Progress&lt;T&gt; would post it later).</summary>
    private sealed class ImmediateProgress(Action<ProgressStep> action) : IProgress<ProgressStep>
    {
        public void Report(ProgressStep value) => action(value);
    }
}
