using System.Security.Cryptography;
using System.Text;
using RagService.Core.Access;
using RagService.Core.Chunking;
using RagService.Core.Indexing;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Security;
using RagService.Core.Storage;
using RagService.Tests.Shared;

namespace RagService.Storage.Conformance.Tests;

/// <summary>
/// What every store must do, whatever holds the rows: one subclass per store. A subclass whose store cannot run here
/// names why (<see cref="SkipReason"/>) and its cases are reported as skipped with that reason. Expected answers are
/// written by hand from the documents written; row-level checks read the tables themselves.
/// </summary>
public abstract class StoreConformance : IDisposable
{
    /// <summary>Why this store cannot be tested here, or null.</summary>
    protected abstract string? SkipReason { get; }

    /// <summary>A store over this test's database; each call stands for another connection (another replica).</summary>
    protected abstract KnowledgeStore OpenStore(params ISearchIndex[] indexes);

    /// <summary>A store over this test's database whose writes keep <paramref name="chunks"/> current (as the service's do).</summary>
    protected abstract KnowledgeStore OpenCachedStore(ChunkCache chunks);

    protected abstract IIndexSource OpenSource();

    protected abstract IJobStore OpenJobs();

    protected abstract IApiKeyStore OpenKeys();

    protected abstract IFusionCalibrationStore OpenCalibrations();

    /// <summary>The cluster lock as another replica of the same store sees it.</summary>
    protected abstract RagService.Core.Cluster.IClusterLock OpenClusterLock();

    /// <summary>Every row of a table, each value as invariant text (byte arrays as hex), read past the ports.</summary>
    protected abstract Task<IReadOnlyList<string[]>> RowsAsync(string table);

    /// <summary>Returns once some connection waits for a lock another holds (where the store can tell; otherwise at once).</summary>
    protected virtual Task WaitForALockWaitAsync() => Task.CompletedTask;

    public virtual void Dispose() => GC.SuppressFinalize(this);

    [SkippableFact]
    public async Task A_replace_is_atomic_and_an_unchanged_hash_writes_nothing()
    {
        var store = Start();
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, Doc("d", "v1", "one", "two"), default);
        Assert.Equal(WriteOutcome.Updated, await store.UpsertDocumentAsync(kb, Doc("d", "v2", "alpha", "beta", "gamma"), default));

        var ids = await store.ListChunkIdsAsync(kb, "d", 0, 10, default);
        Assert.Equal(["alpha", "beta", "gamma"], (await store.GetChunksAsync(ids, default)).Select(c => c.Text));
        Assert.Equal(3, (await RowsAsync("chunks")).Count);
        var version = await OpenSource().GetVersionAsync(kb.Id, default);
        var updated = (await store.GetDocumentAsync(kb, "d", default))!.UpdatedAt;

        Assert.Equal(WriteOutcome.Unchanged, await store.UpsertDocumentAsync(kb, Doc("d", "v2", "alpha", "beta", "gamma"), default));
        Assert.Equal(version, await OpenSource().GetVersionAsync(kb.Id, default));
        Assert.Equal(ids, await store.ListChunkIdsAsync(kb, "d", 0, 10, default));
        Assert.Equal(updated, (await store.GetDocumentAsync(kb, "d", default))!.UpdatedAt);
    }

    [SkippableFact]
    public async Task Deleting_a_document_or_a_collection_deletes_everything_under_it()
    {
        var store = Start();
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        var other = await store.CreateCollectionAsync("other", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, Doc("a", "1", "a1", "a2"), default);
        await store.UpsertDocumentAsync(kb, Doc("b", "1", "b1"), default);
        await store.UpsertDocumentAsync(other, Doc("c", "1", "c1"), default);
        await OpenCalibrations().PutAsync(kb.Id, Calibration(), default);

        Assert.True(await store.DeleteDocumentAsync(kb, "a", default));
        Assert.False(await store.DeleteDocumentAsync(kb, "a", default));
        Assert.Equal(["b1", "c1"], (await RowsAsync("chunks")).Select(r => r[3]).Order(StringComparer.Ordinal));

        Assert.True(await store.DeleteCollectionAsync("kb", default));
        Assert.Equal(["c1"], (await RowsAsync("chunks")).Select(r => r[3]));
        Assert.Single(await RowsAsync("documents"));
        Assert.Empty(await RowsAsync("fusion_calibrations"));
        Assert.Null(await OpenCalibrations().GetAsync(kb.Id, default));
    }

    [SkippableFact]
    public async Task Collection_ids_are_never_given_again_and_a_write_to_a_deleted_collection_writes_nothing()
    {
        var store = Start();
        var first = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await Assert.ThrowsAsync<CollectionExistsException>(() => store.CreateCollectionAsync("kb", new CollectionSettings(), default));
        var writer = OpenStore(); // another connection still holding the collection it looked up
        Assert.True(await store.DeleteCollectionAsync("kb", default));
        var second = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        Assert.True(second.Id > first.Id, $"id {first.Id} was given again ({second.Id})");

        await Assert.ThrowsAsync<CollectionGoneException>(() => writer.UpsertDocumentAsync(first, Doc("late", "1", "late text"), default));
        await Assert.ThrowsAsync<CollectionGoneException>(() => writer.DeleteDocumentAsync(first, "late", default));

        Assert.Empty(await RowsAsync("documents"));
        Assert.Empty(await RowsAsync("chunks"));
        Assert.Equal(0, (await store.GetStatsAsync(second, null, default)).Documents);
    }

    [SkippableFact]
    public async Task Documents_and_chunk_ids_page_in_order()
    {
        var store = Start();
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        foreach (var id in new[] { "e", "b", "d", "a", "c", "B", "é" })
        {
            await store.UpsertDocumentAsync(kb, Doc(id, "1", id + "0"), default);
        }

        await store.UpsertDocumentAsync(kb, Doc("long", "1", "p0", "p1", "p2", "p3", "p4"), default);

        // Ordinal (code point) order: capitals before small letters, "é" (U+00E9) after every ASCII letter.
        var pages = new List<string>();
        for (var offset = 0; offset < 10; offset += 3)
        {
            pages.Add(string.Join(",", (await store.ListDocumentsAsync(kb, offset, 3, null, default)).Select(d => d.Id)));
        }

        Assert.Equal(["B,a,b", "c,d,e", "long,é", ""], pages);
        var second = await store.ListChunkIdsAsync(kb, "long", 2, 2, default);
        Assert.Equal(["p2", "p3"], (await store.GetChunksAsync(second, default)).Select(c => c.Text));
        Assert.Empty(await store.ListChunkIdsAsync(kb, "missing", 0, 10, default));
    }

    [SkippableFact]
    public async Task Each_filter_kind_keeps_exactly_the_documents_it_should()
    {
        var store = Start();
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, WithMetadata("d1", "1", new() { ["lang"] = "en", ["team"] = "x" }, "d1 text"), default);
        await store.UpsertDocumentAsync(kb, WithMetadata("d2", "1", new() { ["lang"] = "zh" }, "d2 text"), default);
        await store.UpsertDocumentAsync(kb, WithMetadata("d3", "1", new() { ["lang"] = "en", ["note"] = "say \"hi\"" }, "d3 text"), default);
        var d2 = (await store.GetDocumentAsync(kb, "d2", default))!;
        await store.UpsertDocumentAsync(kb, WithMetadata("d1", "2", new() { ["lang"] = "en", ["team"] = "x" }, "d1 new text"), default);
        var d1 = (await store.GetDocumentAsync(kb, "d1", default))!;
        Assert.True(d1.UpdatedAt > d2.CreatedAt && d2.CreatedAt > d1.CreatedAt, "the store stamps later writes later");

        var cases = new (SearchFilter Filter, string[] Expected)[]
        {
            (new SearchFilter { DocumentIds = ["d1", "d3", "missing"] }, ["d1", "d3"]),
            (new SearchFilter { Metadata = new Dictionary<string, string> { ["lang"] = "en" } }, ["d1", "d3"]),
            (new SearchFilter { Metadata = new Dictionary<string, string> { ["lang"] = "en", ["team"] = "x" } }, ["d1"]),
            (new SearchFilter { Metadata = new Dictionary<string, string> { ["lang"] = "EN" } }, []),
            (new SearchFilter { Metadata = new Dictionary<string, string> { ["note"] = "say \"hi\"" } }, ["d3"]),
            (new SearchFilter { CreatedAfter = d2.CreatedAt }, ["d2", "d3"]),              // at or after: d2 itself is in
            (new SearchFilter { CreatedAfter = d2.CreatedAt.AddTicks(1) }, ["d3"]),      // 100 ns later: d2 is out
            (new SearchFilter { CreatedBefore = d2.CreatedAt }, ["d1"]),                   // strictly before
            (new SearchFilter { CreatedBefore = d2.CreatedAt.AddTicks(1) }, ["d1", "d2"]),
            (new SearchFilter { UpdatedAfter = d1.UpdatedAt }, ["d1"]),
            (new SearchFilter { UpdatedBefore = d1.UpdatedAt }, ["d2", "d3"]),
            (new SearchFilter { DocumentIds = ["d2", "d3"], Metadata = new Dictionary<string, string> { ["lang"] = "en" } }, ["d3"]),
        };
        var source = OpenSource();
        foreach (var (filter, expected) in cases)
        {
            var chunks = await source.ChunksMatchingAsync(kb, filter, default);
            var docs = (await store.GetChunksAsync(chunks!.ToList(), default)).Select(c => c.DocumentId).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(expected, docs);
        }

        Assert.Null(await source.ChunksMatchingAsync(kb, SearchFilter.None, default));
    }

    [SkippableFact]
    public async Task AnyOf_noneOf_ranges_and_folder_prefixes_keep_the_hand_worked_documents()
    {
        var store = Start();
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings { MetadataTypes = RicherFilterCases.Types }, default);
        foreach (var (id, metadata) in RicherFilterCases.Documents)
        {
            await store.UpsertDocumentAsync(kb, WithMetadata(id, "1", metadata, id + " text"), default);
        }

        Assert.Equal(RicherFilterCases.Types, (await store.GetCollectionAsync("kb", default))!.Settings.MetadataTypes);
        var source = OpenSource();
        foreach (var (name, filter, expected) in RicherFilterCases.Cases())
        {
            var chunks = await source.ChunksMatchingAsync(kb, filter, default);
            var docs = (await store.GetChunksAsync(chunks!.ToList(), default)).Select(c => c.DocumentId).Distinct().Order(StringComparer.Ordinal).ToArray();
            Assert.True(expected.SequenceEqual(docs), $"{name}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", docs)}]");
        }
    }

    [SkippableFact]
    public async Task Access_lists_are_stored_and_changed_alone_without_rewriting_chunks()
    {
        var recorder = new RecordingIndex();
        var store = Start(recorder);
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings { UnlistedAccess = UnlistedAccess.Closed }, default);
        Assert.Equal(UnlistedAccess.Closed, (await store.GetCollectionAsync("kb", default))!.Settings.UnlistedAccess);
        await store.UpsertDocumentAsync(kb, Doc("d", "v1", "one", "two") with { Access = ["group:hr", "user:a@corp.example"] }, default);
        await store.UpsertDocumentAsync(kb, Doc("e", "v1", "three"), default);
        Assert.Equal(["group:hr", "user:a@corp.example"], (await store.GetDocumentAsync(kb, "d", default))!.Access);
        Assert.Null((await store.GetDocumentAsync(kb, "e", default))!.Access);
        Assert.Equal([["group:hr", "user:a@corp.example"], null], (await store.ListDocumentsAsync(kb, 0, 10, null, default)).Select(d => d.Access));

        var chunks = await store.ListChunkIdsAsync(kb, "d", 0, 10, default);
        var before = (await store.GetDocumentAsync(kb, "d", default))!;
        var version = await OpenSource().GetVersionAsync(kb.Id, default);
        Assert.True(await store.SetDocumentAccessAsync(kb, "d", ["group:finance"], default));

        var after = (await store.GetDocumentAsync(kb, "d", default))!;
        Assert.Equal(["group:finance"], after.Access);
        Assert.Equal((before.ContentHash, before.UpdatedAt, before.ChunkCount), (after.ContentHash, after.UpdatedAt, after.ChunkCount));
        Assert.Equal(chunks, await store.ListChunkIdsAsync(kb, "d", 0, 10, default));
        Assert.Equal(version + 1, await OpenSource().GetVersionAsync(kb.Id, default));
        var change = recorder.Changes[^1];
        Assert.Equal((0, 0), (change.Removed.Count, change.Added.Count));
        Assert.Equal(chunks, change.AccessChanged);
        Assert.Equal(["group:finance"], change.Document!.Access);

        // The same content again with another list changes the list only; without a list, or with the same, it writes nothing.
        Assert.Equal(WriteOutcome.Updated, await store.UpsertDocumentAsync(kb, Doc("d", "v1", "one", "two") with { Access = ["group:legal"] }, default));
        Assert.Equal(["group:legal"], (await store.GetDocumentAsync(kb, "d", default))!.Access);
        Assert.Equal(chunks, await store.ListChunkIdsAsync(kb, "d", 0, 10, default));
        Assert.Equal(WriteOutcome.Unchanged, await store.UpsertDocumentAsync(kb, Doc("d", "v1", "one", "two"), default));
        Assert.Equal(WriteOutcome.Unchanged, await store.UpsertDocumentAsync(kb, Doc("d", "v1", "one", "two") with { Access = ["group:legal"] }, default));
        Assert.True(await store.SetDocumentAccessAsync(kb, "d", ["group:legal"], default));
        Assert.Equal(version + 2, await OpenSource().GetVersionAsync(kb.Id, default)); // setting the list it has writes nothing

        // New content without a list keeps the restriction: re-sending a document never opens it.
        Assert.Equal(WriteOutcome.Updated, await store.UpsertDocumentAsync(kb, Doc("d", "v2", "changed"), default));
        Assert.Equal(["group:legal"], (await store.GetDocumentAsync(kb, "d", default))!.Access);
        Assert.True(await store.SetDocumentAccessAsync(kb, "d", null, default));
        Assert.Null((await store.GetDocumentAsync(kb, "d", default))!.Access);

        Assert.False(await store.SetDocumentAccessAsync(kb, "missing", ["group:hr"], default));
    }

    [SkippableTheory]
    [InlineData(UnlistedAccess.Open)]
    [InlineData(UnlistedAccess.Closed)]
    public async Task An_access_scope_keeps_the_documents_naming_one_of_its_principals_and_unlisted_ones_where_open(UnlistedAccess unlisted)
    {
        var store = Start();
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings { UnlistedAccess = unlisted }, default);
        await store.UpsertDocumentAsync(kb, Doc("hr", "1", "hr text") with { Access = ["group:hr"] }, default);
        await store.UpsertDocumentAsync(kb, Doc("both", "1", "both text") with { Access = ["group:hr", "user:a"] }, default);
        await store.UpsertDocumentAsync(kb, Doc("open", "1", "open text"), default);
        await store.UpsertDocumentAsync(kb, Doc("opened", "1", "opened text") with { Access = ["user:b"] }, default);
        await store.SetDocumentAccessAsync(kb, "opened", null, default);

        string[] unlistedDocs = unlisted == UnlistedAccess.Open ? ["open", "opened"] : [];
        var cases = new (AccessScope Scope, string[] Expected)[]
        {
            (new AccessScope([]), unlistedDocs),
            (new AccessScope(["user:a"]), ["both", .. unlistedDocs]),
            (new AccessScope(["group:hr"]), ["both", "hr", .. unlistedDocs]),
            (new AccessScope(["user:b"]), unlistedDocs),
            (new AccessScope(["group:hr'); --", "user:\"a\""]), unlistedDocs),
        };
        var source = OpenSource();
        foreach (var (scope, expected) in cases)
        {
            var chunks = await source.ChunksMatchingAsync(kb, new SearchFilter { Access = scope }, default);
            var docs = (await store.GetChunksAsync(chunks!.ToList(), default)).Select(c => c.DocumentId).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(expected.Order(StringComparer.Ordinal), docs);
        }
    }

    [SkippableFact]
    public async Task Jobs_keep_their_idempotency_key_item_progress_and_content()
    {
        Start();
        var jobs = OpenJobs();
        var items = new[]
        {
            new NewJobItem("a.md", SyncAction.Add, ItemStatus.Pending, "sha-a", [1, 2, 3], null),
            new NewJobItem("b.md", SyncAction.Unchanged, ItemStatus.Done, "sha-b", null, null),
            new NewJobItem("c.md", SyncAction.Delete, ItemStatus.Pending, null, null, null),
        };
        var (job, created) = await jobs.CreateAsync(new NewJob("sync", "kb", true, "key-1", "hash-1", items), default);
        Assert.True(created);
        var (again, createdAgain) = await OpenJobs().CreateAsync(new NewJob("sync", "kb", true, "key-1", "hash-1", []), default);
        Assert.False(createdAgain);
        Assert.Equal(job.Id, again.Id);
        Assert.True((await jobs.CreateAsync(new NewJob("sync", "other", false, "key-1", "hash-1", []), default)).Created, "keys are per collection");

        Assert.Equal(new JobCounts(2, 0, 0, 0, 1, 0, 0), job.Counts);
        Assert.Equal(new byte[] { 1, 2, 3 }, await jobs.ReadContentAsync(job.Id, 0, default));
        await jobs.AddItemsAsync(job.Id, [new NewJobItem("d.md", SyncAction.Update, ItemStatus.Pending, "sha-d", [9], null)], default);
        await jobs.SetStateAsync(job.Id, JobState.Running, JobStage.Ingesting, default);
        await jobs.CompleteItemAsync(job.Id, 0, ItemStatus.Done, SyncAction.Add, 4, null, ["page 2: no text layer or OCR read it"], default);
        await jobs.CompleteItemAsync(job.Id, 3, ItemStatus.Failed, SyncAction.Update, 0, "unreadable", [], default);

        var running = (await jobs.GetAsync(job.Id, default))!;
        Assert.Equal((JobState.Running, JobStage.Ingesting), (running.State, running.Stage));
        Assert.Equal(new JobCounts(3, 2, 1, 0, 1, 0, 1), running.Counts);
        Assert.Equal(["a.md:Done:4", "b.md:Done:0", "c.md:Pending:0", "d.md:Failed:0:unreadable"],
            (await jobs.GetItemsAsync(job.Id, default)).Select(i => $"{i.Path}:{i.Status}:{i.Chunks}" + (i.Error is null ? "" : ":" + i.Error)));
        Assert.Equal([["page 2: no text layer or OCR read it"], [], [], []], (await jobs.GetItemsAsync(job.Id, default)).Select(i => i.Warnings.ToArray()));
        Assert.Null(await jobs.ReadContentAsync(job.Id, 0, default)); // a completed item drops its content
        Assert.Contains(job.Id, await jobs.ListUnfinishedAsync(default));

        await jobs.FinishAsync(job.Id, JobState.CompletedWithErrors, null, default);
        var finished = (await jobs.GetAsync(job.Id, default))!;
        Assert.True(finished.IsFinished);
        Assert.NotNull(finished.FinishedAt);
        Assert.DoesNotContain(job.Id, await jobs.ListUnfinishedAsync(default));
        Assert.All(await RowsAsync("job_items"), r => Assert.DoesNotContain(r, v => v == "010203" || v == "09"));
        Assert.Equal(job.Id, (await jobs.ListAsync("kb", 10, default)).Single().Id);
        Assert.Equal(1, await jobs.DeleteFinishedBeforeAsync(DateTimeOffset.UtcNow.AddMinutes(1), default));
        Assert.Null(await jobs.GetAsync(job.Id, default));
    }

    [SkippableFact]
    public async Task Job_leases_give_a_job_to_one_worker_one_per_collection_oldest_first_and_expire()
    {
        Start();
        var jobs = OpenJobs();
        var minute = TimeSpan.FromMinutes(1);
        async Task<string> Create(string collection) => (await jobs.CreateAsync(new NewJob("sync", collection, false, null, "h", []), default)).Job.Id;
        var kbFirst = await Create("kb");
        var other = await Create("other");
        var kbSecond = await Create("kb");

        Assert.False(await jobs.TryClaimAsync(kbSecond, "c", minute, default)); // kb's first job comes first, even while no one holds it
        Assert.Equal(kbFirst, await jobs.ClaimNextAsync("a", minute, default));
        Assert.Equal(other, await jobs.ClaimNextAsync("b", minute, default));
        Assert.Null(await jobs.ClaimNextAsync("c", minute, default)); // kb's second job waits for its first
        Assert.False(await jobs.TryClaimAsync(kbSecond, "c", minute, default));
        Assert.False(await jobs.TryClaimAsync(other, "c", minute, default)); // leased to b
        Assert.False(await jobs.RenewLeaseAsync(kbFirst, "b", minute, default));
        Assert.True(await jobs.RenewLeaseAsync(kbFirst, "a", minute, default));

        await jobs.FinishAsync(kbFirst, JobState.Succeeded, null, default);
        Assert.False(await jobs.RenewLeaseAsync(kbFirst, "a", minute, default));
        Assert.Equal(kbSecond, await jobs.ClaimNextAsync("c", minute, default));

        await jobs.SetStateAsync(other, JobState.Running, JobStage.Ingesting, default);
        await jobs.ReleaseAsync(other, "b", default);
        Assert.Equal((JobState.Queued, JobStage.Planned), await StateAsync(other));
        Assert.True(await jobs.TryClaimAsync(other, "a", minute, default));

        // A lease that ran out (its worker died): any worker takes the job over, and the old holder can no longer renew it.
        var third = await Create("third");
        Assert.Equal(third, await jobs.ClaimNextAsync("dead", TimeSpan.FromMinutes(-1), default));
        Assert.Equal(third, await jobs.ClaimNextAsync("b", minute, default));
        Assert.False(await jobs.RenewLeaseAsync(third, "dead", minute, default));
        Assert.True(await jobs.RenewLeaseAsync(third, "b", minute, default));

        // Workers racing for three free jobs (three collections): each job goes to exactly one of them.
        var free = new[] { await Create("x"), await Create("y"), await Create("z") };
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => OpenJobs().ClaimNextAsync($"w{i}", minute, default))));
        Assert.Equal(free.Order(StringComparer.Ordinal), claims.OfType<string>().Order(StringComparer.Ordinal));

        async Task<(JobState, JobStage)> StateAsync(string id) => (await jobs.GetAsync(id, default)) is { } j ? (j.State, j.Stage) : default;
    }

    [SkippableFact]
    public async Task Job_files_are_bounded_across_unfinished_jobs_and_dropped_when_a_job_finishes()
    {
        Start();
        var jobs = OpenJobs();
        var limits = new JobAdmission(MaxUnfinishedJobs: 2, MaxFileBytes: 10);
        static JobFile File(string sha, params byte[] bytes) => new(sha, bytes.Length, _ => Task.FromResult(bytes));
        NewJob Job(params JobFile[] files) => new("sync", "kb", false, null, "h", [], Files: files, Admission: limits);

        var first = (await jobs.CreateAsync(Job(File("s1", 1, 2, 3, 4, 5), File("s2", 6, 7, 8)), default)).Job.Id;
        Assert.Equal(new byte[] { 6, 7, 8 }, await jobs.ReadFileAsync(first, "s2", default));

        var tooBig = await Assert.ThrowsAsync<JobAdmissionException>(() => OpenJobs().CreateAsync(Job(File("s3", 1, 2, 3)), default));
        Assert.Equal((JobAdmissionLimit.FileBytes, 8L, 3L), (tooBig.Limit, tooBig.InUse, tooBig.Requested));
        Assert.Single(await jobs.ListAsync("kb", 10, default)); // nothing written for the refused job

        var second = (await jobs.CreateAsync(Job(File("s4", 9, 9)), default)).Job.Id; // exactly at the bound
        var tooMany = await Assert.ThrowsAsync<JobAdmissionException>(() => jobs.CreateAsync(Job(), default));
        Assert.Equal((JobAdmissionLimit.Jobs, 2L), (tooMany.Limit, tooMany.InUse));
        Assert.True((await jobs.CreateAsync(Job() with { Admission = null }, default)).Created, "a job without admission (run in its request) is not bounded");

        await jobs.FinishAsync(first, JobState.Succeeded, null, default);
        Assert.Null(await jobs.ReadFileAsync(first, "s1", default));
        Assert.Equal([second], (await RowsAsync("job_files")).Select(r => r[0]).Distinct());
        await jobs.FinishAsync((await jobs.ListUnfinishedAsync(default))[^1], JobState.Succeeded, null, default);
        Assert.True((await jobs.CreateAsync(Job(File("s5", 1, 2, 3, 4, 5, 6, 7, 8)), default)).Created);
    }

    [SkippableFact]
    public async Task A_cluster_lock_has_one_holder_at_a_time_and_is_free_again_once_released()
    {
        Start();
        var (a, b) = (OpenClusterLock(), OpenClusterLock());
        var held = await a.TryAcquireAsync("calibration:kb", default);
        Assert.NotNull(held);
        Assert.Null(await b.TryAcquireAsync("calibration:kb", default));
        Assert.Null(await a.TryAcquireAsync("calibration:kb", default)); // not re-entrant: a second task of the same replica waits its turn too
        await using (var other = await b.TryAcquireAsync("calibration:other", default))
        {
            Assert.NotNull(other);
        }

        await held!.DisposeAsync();
        await using var again = await b.TryAcquireAsync("calibration:kb", default);
        Assert.NotNull(again);
    }

    [SkippableFact]
    public async Task Keys_keep_their_principals_and_delegation_patterns()
    {
        Start();
        var keys = OpenKeys();
        var created = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        await keys.CreateAsync(new ApiKeyRecord("kp", "hr-app", ApiRole.Reader, null, [1, 2], created, null, null) { Principals = ["group:hr", "user:a@corp.example"] }, 5, default);
        await keys.CreateAsync(new ApiKeyRecord("kd", "bot", ApiRole.Reader, null, [3, 4], created, null, null) { DelegateWithin = ["user:*@corp.example", "group:*"] }, 5, default);
        await keys.CreateAsync(new ApiKeyRecord("kn", "plain", ApiRole.Reader, null, [5, 6], created, null, null), 5, default);

        var byId = (await OpenKeys().ListAsync(default)).ToDictionary(k => k.Id);
        Assert.Equal(["group:hr", "user:a@corp.example"], byId["kp"].Principals);
        Assert.Null(byId["kp"].DelegateWithin);
        Assert.Equal(["user:*@corp.example", "group:*"], (await keys.GetAsync("kd", default))!.DelegateWithin);
        Assert.Null(byId["kd"].Principals);
        Assert.Equal((null, null), (byId["kn"].Principals, byId["kn"].DelegateWithin));
    }

    [SkippableFact]
    public async Task Keys_are_stored_as_hashes_only()
    {
        Start();
        var keys = OpenKeys();
        const string secret = "rk_live_secret_value_42";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(secret));
        var created = new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);
        await keys.CreateAsync(new ApiKeyRecord("k1", "app", ApiRole.Writer, ["kb"], hash, created, null, null), 2, default);
        await keys.CreateAsync(new ApiKeyRecord("k2", "app", ApiRole.Reader, null, hash, created.AddSeconds(1), null, null), 2, default);
        await Assert.ThrowsAsync<TooManyActiveKeysException>(() =>
            OpenKeys().CreateAsync(new ApiKeyRecord("k3", "app", ApiRole.Reader, null, hash, created, null, null), 2, default));

        var k1 = (await keys.GetAsync("k1", default))!;
        Assert.Equal((ApiRole.Writer, "kb", Convert.ToHexString(hash), created), (k1.Role, k1.Collections!.Single(), Convert.ToHexString(k1.SecretHash), k1.CreatedAt));
        var rows = await RowsAsync("api_keys");
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.DoesNotContain(r, v => v.Contains(secret, StringComparison.Ordinal)));
        Assert.All(rows, r => Assert.Contains(Convert.ToHexString(hash), r));
        Assert.True(await keys.RevokeAsync("k1", created.AddDays(1), default));
        Assert.False(await keys.RevokeAsync("k1", created.AddDays(1), default));
        Assert.Equal(1, await keys.CountActiveAsync(default));
        Assert.Equal(["k2", "k1"], (await keys.ListAsync(default)).Select(k => k.Id));
    }

    [SkippableFact]
    public async Task Two_connections_writing_one_document_at_once_leave_one_version_whole()
    {
        var holding = new GatedIndex();
        var first = Start(holding);
        var second = OpenStore();
        var kb = await first.CreateCollectionAsync("kb", new CollectionSettings(), default);

        var a = first.UpsertDocumentAsync(kb, Doc("x", "a", "a1", "a2", "a3"), default);
        await holding.Reached.Task; // the first write holds its transaction open, its rows written
        var b = second.UpsertDocumentAsync(kb, Doc("x", "b", "b1", "b2"), default);
        await WaitForALockWaitAsync();
        holding.Release.SetResult();
        await Task.WhenAll(a, b);

        var doc = (await first.GetDocumentAsync(kb, "x", default))!;
        var texts = (await RowsAsync("chunks")).Select(r => r[3]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(doc.ContentHash == "x-b" ? ["b1", "b2"] : ["a1", "a2", "a3"], texts);
        Assert.Equal("x-b", doc.ContentHash); // the second writer waited for the first, then replaced it
        Assert.Single(await RowsAsync("documents"));
    }

    [SkippableFact]
    public async Task A_write_cancelled_midway_leaves_nothing()
    {
        var cancelling = new GatedIndex();
        cancelling.Release.SetResult();
        var store = Start(cancelling);
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, Doc("kept", "1", "kept text"), default);
        var version = await OpenSource().GetVersionAsync(kb.Id, default);

        // Cancelled while its chunks are being written.
        using (var cts = new CancellationTokenSource())
        {
            var write = Doc("new", "1", "n1", "n2", "n3", "n4");
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                store.UpsertDocumentAsync(kb, write with { Chunks = new CancelAtChunk(write.Chunks, 2, cts) }, cts.Token));
        }

        // Cancelled after every row was written, before the commit.
        cancelling.CancelWhenReached = true;
        using (var cts = new CancellationTokenSource())
        {
            cancelling.Token = cts;
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UpsertDocumentAsync(kb, Doc("kept", "2", "replaced"), cts.Token));
        }

        Assert.Equal(["kept text"], (await RowsAsync("chunks")).Select(r => r[3]));
        Assert.Equal(["kept"], (await store.ListDocumentsAsync(kb, 0, 10, null, default)).Select(d => d.Id));
        Assert.Equal("kept-1", (await store.GetDocumentAsync(kb, "kept", default))!.ContentHash);
        Assert.Equal(version, await OpenSource().GetVersionAsync(kb.Id, default));
    }

    [SkippableFact]
    public async Task The_chunk_cache_holds_what_the_store_holds_across_re_saves_and_deletes()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var cache = new ChunkCache(new ChunkCacheOptions());
        var store = OpenCachedStore(cache);
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        var first = new DocumentWrite("a", "Title one", "a-1", "text", new Dictionary<string, string> { ["lang"] = "en" },
            [new IndexedChunk(new Chunk(0, "first text", ["Intro"], 3), ["first"], [])]);
        await store.UpsertDocumentAsync(kb, first, default);
        var firstIds = await store.ListChunkIdsAsync(kb, "a", 0, 10, default);

        // What the write put in the cache is what the store reads back, field by field, without asking the store.
        var cached = await cache.GetChunksAsync(store, firstIds, default);
        Assert.Equal((1, 0), (cache.Hits, cache.Misses));
        Assert.Equal(Shown(await store.GetChunksAsync(firstIds, default), withTime: true), Shown(cached, withTime: true));
        Assert.Equal(["a|Title one|0|first text|Intro|3|lang=en"], Shown(cached));

        // Same text, new title and metadata: new chunk ids, and the old ones are neither in the cache nor in the store.
        await store.UpsertDocumentAsync(kb, first with { Title = "Title two", ContentHash = "a-2", Metadata = new Dictionary<string, string> { ["lang"] = "fr" } }, default);
        var secondIds = await store.ListChunkIdsAsync(kb, "a", 0, 10, default);
        Assert.Empty(await cache.GetChunksAsync(store, firstIds, default));
        Assert.Equal(["a|Title two|0|first text|Intro|3|lang=fr"], Shown(await cache.GetChunksAsync(store, secondIds, default)));

        // Another connection (another replica) re-saves and deletes: this cache never saw it, and serves nothing that is gone.
        var other = OpenStore();
        await other.UpsertDocumentAsync(kb, first with { ContentHash = "a-3", Title = "Title three" }, default);
        var thirdIds = await store.ListChunkIdsAsync(kb, "a", 0, 10, default);
        Assert.Equal(["a|Title three|0|first text|Intro|3|lang=en"], Shown(await cache.GetChunksAsync(store, thirdIds, default)));
        Assert.True(await store.DeleteDocumentAsync(kb, "a", default));
        Assert.Empty(await cache.GetChunksAsync(store, thirdIds, default));
    }

    private static string[] Shown(IEnumerable<StoredChunk> chunks, bool withTime = false) => chunks.Select(c =>
        $"{c.DocumentId}|{c.DocumentTitle}|{c.Ordinal}|{c.Text}|{string.Join("/", c.HeadingPath)}|{c.Page}|{string.Join(",", c.Metadata.Select(m => m.Key + "=" + m.Value))}" +
        (withTime ? "|" + c.UpdatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "")).ToArray();

    private KnowledgeStore Start(params ISearchIndex[] indexes)
    {
        Skip.If(SkipReason is not null, SkipReason);
        return OpenStore(indexes);
    }

    private static DocumentWrite Doc(string id, string version, params string[] texts) => WithMetadata(id, version, [], texts);

    private static DocumentWrite WithMetadata(string id, string version, Dictionary<string, string> metadata, params string[] texts) =>
        new(id, null, id + "-" + version, "text", metadata,
            texts.Select((t, i) => new IndexedChunk(new Chunk(i, t, ["h"], i + 1), [t], ["h"], [1f, i])).ToList());

    private static FusionCalibration Calibration() => System.Text.Json.JsonSerializer.Deserialize<FusionCalibration>("{}")!;

    /// <summary>An index that stops each write at its prepare step until released (or cancels it there), with the write's rows in place and uncommitted.</summary>
    private sealed class GatedIndex : ISearchIndex
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool CancelWhenReached { get; set; }

        public CancellationTokenSource? Token { get; set; }

        public string Engine => "gated";

        public async Task PrepareAsync(IndexChange change, CancellationToken ct)
        {
            if (CancelWhenReached)
            {
                await Token!.CancelAsync();
            }

            ct.ThrowIfCancellationRequested();
            Reached.TrySetResult();
            await Release.Task.WaitAsync(ct);
        }

        public void Apply(IndexChange change)
        {
        }

        public void Drop(long collectionId)
        {
        }

        public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct) => Task.FromResult(new IndexStats(Engine, 0, 0, ""));

        public Task<ComponentStatus> CheckAsync(CancellationToken ct) => Task.FromResult(ComponentStatus.On("gated", ""));
    }
}
