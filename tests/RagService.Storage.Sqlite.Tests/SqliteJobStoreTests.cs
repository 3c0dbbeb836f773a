using RagService.Core.Jobs;

namespace RagService.Storage.Sqlite.Tests;

/// <summary>Sync jobs in SQLite: what is stored, how progress is counted, what survives a restart, what expires.</summary>
public sealed class SqliteJobStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-jobs-" + Guid.NewGuid().ToString("N")[..10]);

    private SqliteJobStore Store() => new(new SqliteStoreOptions { DatabasePath = Path.Combine(_dir, "jobs.db") });

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    /// <summary>A sync of five paths: two to add (one already failed at submission), one update, one unchanged, one delete.</summary>
    private static NewJob Sync(string collection = "kb", string? key = null) => new("sync", collection, Prune: true, key, "hash-1",
    [
        new NewJobItem("a.md", SyncAction.Add, ItemStatus.Pending, "sha-a", Bytes("# A"), null),
        new NewJobItem("b.md", SyncAction.Update, ItemStatus.Pending, "sha-b", Bytes("# B"), null),
        new NewJobItem("c.md", SyncAction.Unchanged, ItemStatus.Done, "sha-c", null, null),
        new NewJobItem("d.md", SyncAction.Delete, ItemStatus.Pending, null, null, null),
        new NewJobItem("e.pdf", SyncAction.Add, ItemStatus.Failed, "sha-e", null, "not a PDF"),
    ]);

    [Fact]
    public async Task A_new_job_is_queued_and_counts_only_the_items_that_need_work()
    {
        var store = Store();
        var (job, created) = await store.CreateAsync(Sync(), default);

        Assert.True(created);
        Assert.Equal(JobState.Queued, job.State);
        Assert.Equal(JobStage.Planned, job.Stage);
        Assert.Null(job.FinishedAt);
        // Work items: a, b, d, e (c is unchanged) = 4; done: e (failed at submission) = 1.
        Assert.Equal(new JobCounts(Total: 4, Done: 1, Added: 0, Updated: 0, Unchanged: 1, Deleted: 0, Failed: 1), job.Counts);
        Assert.Equal(["a.md", "b.md", "c.md", "d.md", "e.pdf"], (await store.GetItemsAsync(job.Id, default)).Select(i => i.Path));
        Assert.Equal([0, 1, 2, 3, 4], (await store.GetItemsAsync(job.Id, default)).Select(i => i.Ordinal));
    }

    [Fact]
    public async Task Completing_items_advances_progress_and_drops_their_content()
    {
        var store = Store();
        var (job, _) = await store.CreateAsync(Sync(), default);
        await store.SetStateAsync(job.Id, JobState.Running, JobStage.Ingesting, default);

        await store.CompleteItemAsync(job.Id, 0, ItemStatus.Done, SyncAction.Add, chunks: 3, null, [], default);
        var midway = (await store.GetAsync(job.Id, default))!;
        Assert.Equal(JobState.Running, midway.State);
        Assert.Equal(JobStage.Ingesting, midway.Stage);
        Assert.Equal(new JobCounts(4, 2, 1, 0, 1, 0, 1), midway.Counts);
        Assert.Null(await store.ReadContentAsync(job.Id, 0, default));
        Assert.Equal(Bytes("# B"), await store.ReadContentAsync(job.Id, 1, default));

        // An update whose document vanished meanwhile is recorded as the add it turned into.
        await store.CompleteItemAsync(job.Id, 1, ItemStatus.Done, SyncAction.Add, 2, null, [], default);
        await store.CompleteItemAsync(job.Id, 3, ItemStatus.Done, SyncAction.Delete, 0, null, [], default);
        Assert.Equal(new JobCounts(4, 4, 2, 0, 1, 1, 1), (await store.GetAsync(job.Id, default))!.Counts);
        var items = await store.GetItemsAsync(job.Id, default);
        Assert.Equal(3, items[0].Chunks);
        Assert.Equal(SyncAction.Add, items[1].Action);
        Assert.Equal("not a PDF", items[4].Error);
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_first_job_in_that_collection_only()
    {
        var store = Store();
        var (first, _) = await store.CreateAsync(Sync("kb", "key-1"), default);

        var (again, created) = await store.CreateAsync(Sync("kb", "key-1") with { Items = [] }, default);
        Assert.False(created);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(first.Counts, again.Counts);

        var (other, createdOther) = await store.CreateAsync(Sync("other", "key-1"), default);
        Assert.True(createdOther);
        Assert.NotEqual(first.Id, other.Id);
    }

    [Fact]
    public async Task Unfinished_jobs_and_their_pending_content_survive_a_restart()
    {
        string queued, running, finished;
        {
            // This store instance stands for the service before it was killed; the next one, for the restarted service.
            var before = Store();
            queued = (await before.CreateAsync(Sync(), default)).Job.Id;
            running = (await before.CreateAsync(Sync(), default)).Job.Id;
            finished = (await before.CreateAsync(Sync(), default)).Job.Id;
            await before.SetStateAsync(running, JobState.Running, JobStage.Ingesting, default);
            await before.CompleteItemAsync(running, 0, ItemStatus.Done, SyncAction.Add, 1, null, [], default);
            await before.FinishAsync(finished, JobState.Succeeded, null, default);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var after = Store();
        Assert.Equal([queued, running], await after.ListUnfinishedAsync(default));
        var resumed = (await after.GetAsync(running, default))!;
        Assert.Equal(JobState.Running, resumed.State);
        Assert.Equal(new JobCounts(4, 2, 1, 0, 1, 0, 1), resumed.Counts);
        Assert.Equal(Bytes("# B"), await after.ReadContentAsync(running, 1, default));
    }

    [Fact]
    public async Task Finishing_drops_all_content_and_stamps_the_end()
    {
        var store = Store();
        var (job, _) = await store.CreateAsync(Sync(), default);

        await store.FinishAsync(job.Id, JobState.Failed, "collection 'kb' was deleted", default);

        var done = (await store.GetAsync(job.Id, default))!;
        Assert.Equal(JobState.Failed, done.State);
        Assert.Equal(JobStage.Done, done.Stage);
        Assert.Equal("collection 'kb' was deleted", done.Error);
        Assert.NotNull(done.FinishedAt);
        Assert.True(done.IsFinished);
        Assert.Null(await store.ReadContentAsync(job.Id, 0, default));
        Assert.Null(await store.ReadContentAsync(job.Id, 1, default));
    }

    [Fact]
    public async Task Expiry_deletes_only_jobs_finished_before_the_cut_off_with_their_items()
    {
        var store = Store();
        var old = (await store.CreateAsync(Sync(), default)).Job.Id;
        var open = (await store.CreateAsync(Sync(), default)).Job.Id;
        await store.FinishAsync(old, JobState.Succeeded, null, default);
        var finishedAt = (await store.GetAsync(old, default))!.FinishedAt!.Value;

        Assert.Equal(0, await store.DeleteFinishedBeforeAsync(finishedAt, default)); // strictly before
        Assert.Equal(1, await store.DeleteFinishedBeforeAsync(finishedAt.AddTicks(1), default));

        Assert.Null(await store.GetAsync(old, default));
        Assert.Empty(await store.GetItemsAsync(old, default));
        Assert.NotNull(await store.GetAsync(open, default));
    }

    [Fact]
    public async Task Added_items_are_numbered_after_the_existing_ones_and_listing_is_newest_first()
    {
        var store = Store();
        var first = (await store.CreateAsync(Sync(), default)).Job.Id;
        var second = (await store.CreateAsync(Sync("other"), default)).Job.Id;

        await store.AddItemsAsync(first, [new NewJobItem("f.md", SyncAction.Delete, ItemStatus.Pending, null, null, null)], default);

        var items = await store.GetItemsAsync(first, default);
        Assert.Equal(5, items[^1].Ordinal);
        Assert.Equal("f.md", items[^1].Path);
        Assert.Equal(5, (await store.GetAsync(first, default))!.Counts.Total);
        Assert.Equal([second, first], (await store.ListAsync(null, 10, default)).Select(j => j.Id));
        Assert.Equal([second], (await store.ListAsync("other", 10, default)).Select(j => j.Id));
        Assert.Equal([second], (await store.ListAsync(null, 1, default)).Select(j => j.Id));
    }

    [Fact]
    public async Task A_version_2_database_gains_item_warnings_and_keeps_its_jobs()
    {
        // A version 2 database as that release wrote it: job_items without the warnings column, one job pending.
        Directory.CreateDirectory(_dir);
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir, "jobs.db")}"))
        {
            old.Open();
            using var cmd = old.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE schema_info (version INTEGER NOT NULL);
                INSERT INTO schema_info(version) VALUES (2);
                CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, collection TEXT NOT NULL, state TEXT NOT NULL, stage TEXT NOT NULL,
                    prune INTEGER NOT NULL, idempotency_key TEXT, request_hash TEXT NOT NULL, error TEXT, created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL, finished_at TEXT, UNIQUE (collection, idempotency_key));
                CREATE TABLE job_items (job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, ordinal INTEGER NOT NULL, path TEXT NOT NULL,
                    action TEXT NOT NULL, status TEXT NOT NULL, sha256 TEXT, chunks INTEGER NOT NULL DEFAULT 0, error TEXT, content BLOB,
                    PRIMARY KEY (job_id, ordinal));
                INSERT INTO jobs VALUES ('job_old', 'sync', 'kb', 'queued', 'planned', 0, NULL, 'h', NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', NULL);
                INSERT INTO job_items VALUES ('job_old', 0, 'half.pdf', 'add', 'pending', 'sha-h', 0, NULL, NULL);
                """;
            cmd.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var store = Store();
        Assert.Null(store.Fault);
        Assert.Empty(Assert.Single(await store.GetItemsAsync("job_old", default)).Warnings);
        Assert.Equal("job_old", await store.ClaimNextAsync("worker-a", TimeSpan.FromMinutes(1), default)); // the job an older version left queued is leased like any other

        await store.CompleteItemAsync("job_old", 0, ItemStatus.Done, SyncAction.Add, 4, null, ["page 2: the text layer is unreadable"], default);

        Assert.Equal(["page 2: the text layer is unreadable"], Assert.Single(await Store().GetItemsAsync("job_old", default)).Warnings);
        using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir, "jobs.db")}");
        check.Open();
        using var version = check.CreateCommand();
        version.CommandText = "SELECT max(version) FROM schema_info";
        Assert.Equal(8L, version.ExecuteScalar());
    }
}
