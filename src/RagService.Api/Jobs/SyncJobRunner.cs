using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Jobs;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;

namespace RagService.Api.Jobs;

/// <summary>
/// Runs a stored sync job under the lease the caller claimed (<see cref="IJobStore.ClaimNextAsync"/>): ingests the pending
/// adds and updates (read and chunked ahead, embedded several documents together, written one document at a time, each
/// an atomic write), then, with prune, deletes what the folder no longer has.
/// Every finished item is recorded in the store, so a job interrupted by a shutdown, a crash or a lost lease resumes, on
/// any replica, with the items still pending; an item redone after a crash is a no-op by content hash.
/// A finished job (or one stopped by an unavailable store, whose earlier documents stay) asks for the collection's fusion
/// calibration; it runs in the background once the job's writes are over (<see cref="CalibrationSchedule"/>).
/// </summary>
internal sealed class SyncJobRunner(IJobStore jobs, IKnowledgeStore store, DocumentIngestor ingestor, JobLeaseOwner owner,
    IOptions<RagOptions> options, CalibrationSchedule calibration, ILogger<SyncJobRunner> log)
{
    /// <summary>Runs job <paramref name="jobId"/>, whose lease this process holds; at shutdown it puts the job back in
    /// the queue and throws <see cref="OperationCanceledException"/>.</summary>
    public async Task RunAsync(string jobId, CancellationToken stopping)
    {
        await using var lease = JobLease.Hold(jobs, jobId, owner.Name, options.Value.Sync, log, stopping);
        try
        {
            await RunLeasedAsync(jobId, lease.Token);
        }
        catch (Exception e) when (lease.Token.IsCancellationRequested)
        {
            if (lease.Lost && !stopping.IsCancellationRequested)
            {
                return;
            }

            // Checkpoint: finished items are recorded; the rest run on whichever replica leases the job next. A store call
            // cut short by the shutdown may surface as its own exception rather than a cancellation; it is a checkpoint all the same.
            await jobs.ReleaseAsync(jobId, owner.Name, CancellationToken.None);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new OperationCanceledException("stopped by shutdown", e, stopping);
        }
    }

    private async Task RunLeasedAsync(string jobId, CancellationToken ct)
    {
        var job = await jobs.GetAsync(jobId, ct);
        if (job is null || job.IsFinished)
        {
            return;
        }

        var collection = await store.GetCollectionAsync(job.Collection, ct);
        if (collection is null)
        {
            await jobs.FinishAsync(jobId, JobState.Failed, $"collection '{job.Collection}' was deleted before the job could run", CancellationToken.None);
            return;
        }

        try
        {
            await jobs.SetStateAsync(jobId, JobState.Running, JobStage.Ingesting, ct);
            var items = await jobs.GetItemsAsync(jobId, ct);
            var access = await JobAccessMap.ReadAsync(jobs, jobId, ct);
            var writes = items.Where(i => i.Status == ItemStatus.Pending && i.Action is SyncAction.Add or SyncAction.Update).ToList();
            await IngestPendingAsync(jobId, collection, writes, access, ct);

            foreach (var item in items.Where(i => i.Status == ItemStatus.Pending && i.Action == SyncAction.Unchanged))
            {
                ct.ThrowIfCancellationRequested();
                await store.SetDocumentAccessAsync(collection, item.Path, access.GetValueOrDefault(item.Path), ct);
                await jobs.CompleteItemAsync(jobId, item.Ordinal, ItemStatus.Done, SyncAction.Unchanged, 0, null, [], CancellationToken.None);
            }

            if (job.Prune)
            {
                await jobs.SetStateAsync(jobId, JobState.Running, JobStage.Pruning, ct);
                await PruneAsync(jobId, collection, ct);
            }

            var counts = (await jobs.GetAsync(jobId, ct))!.Counts;
            // Asked before the job shows as finished, so whoever sees it finished also sees the calibration scheduled.
            calibration.Request(collection.Name);
            await jobs.FinishAsync(jobId, counts.Failed > 0 ? JobState.CompletedWithErrors : JobState.Succeeded, null, CancellationToken.None);
            log.SyncJobDone(jobId, job.Collection, counts.Added, counts.Updated, counts.Unchanged, counts.Deleted, counts.Failed);
        }
        catch (StorageUnavailableException e) when (!ct.IsCancellationRequested)
        {
            // The store or the vector store is down: every further document would fail the same way (and a prune would
            // delete what could not be re-added), so the job stops here. Each write is whole, so nothing is half-written.
            log.SyncJobStopped(jobId, job.Collection, e.Message);
            calibration.Request(collection.Name);
            await jobs.FinishAsync(jobId, JobState.Failed,
                $"the job stopped: {e.Message}. The documents written before stay; sync again once it is available", CancellationToken.None);
        }
    }

    /// <summary>
    /// Adds and updates in job order: the prepare stage reads and chunks documents ahead; each group it hands over has its
    /// passages embedded together, then every document of the group is written and recorded alone, in one write group
    /// (derived indexes commit once per group). The next group is embedded while this one is written, so the writes do
    /// not leave the embedder idle. A cancellation or a lost lease stops between two documents' writes.
    /// </summary>
    private async Task IngestPendingAsync(string jobId, CollectionInfo collection, IReadOnlyList<JobItem> pending,
        IReadOnlyDictionary<string, IReadOnlyList<string>?> access, CancellationToken ct)
    {
        var sync = options.Value.Sync;
        await using var stage = SyncPrepareStage.Start(jobs, ingestor, sync, jobId, collection, pending, access, ct);
        using var embedding = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var next = EmbedNextGroupAsync(stage, sync.EmbedBatchPassages, embedding.Token);
        try
        {
            while (await next is { } group)
            {
                next = EmbedNextGroupAsync(stage, sync.EmbedBatchPassages, embedding.Token);
                using var writes = store.BeginWriteGroup(collection);
                foreach (var (staged, vectors) in group)
                {
                    ct.ThrowIfCancellationRequested();
                    await WriteAsync(jobId, collection, staged, vectors, ct);
                }
            }
        }
        finally
        {
            // Stopped early (cancelled, lost lease, store down): the group being embedded is dropped; its items stay pending.
            await embedding.CancelAsync();
            await ((Task)next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The prepare stage's next group with each item's vectors (null: not embedded), on a pool thread; null once every item was taken.</summary>
    private Task<List<(StagedItem Staged, DocumentVectors? Vectors)>?> EmbedNextGroupAsync(SyncPrepareStage stage, int maxPassages, CancellationToken ct) =>
        Task.Run(async () =>
        {
            if (await stage.NextGroupAsync(maxPassages, ct) is not { } group)
            {
                return null;
            }

            var prepared = group.Where(s => s.Prepared is not null).ToList();
            var vectors = await ingestor.EmbedAsync(prepared.Select(s => s.Prepared!).ToList(), ct);
            var next = 0;
            return group.Select(s => (s, s.Prepared is null ? null : vectors[next++])).ToList();
        }, ct);

    /// <summary>Records one staged item: the failure preparing or embedding it met, or its write.</summary>
    private async Task WriteAsync(string jobId, CollectionInfo collection, StagedItem staged, DocumentVectors? vectors, CancellationToken ct)
    {
        var (item, access) = (staged.Item, staged.Access);
        if (staged.Missing is { } missing)
        {
            await jobs.CompleteItemAsync(jobId, item.Ordinal, ItemStatus.Failed, item.Action, 0, missing, [], CancellationToken.None);
            return;
        }

        string? error = null;
        IngestResult? result = null;
        try
        {
            staged.Failure?.Throw();
            vectors?.Failure?.Throw();
            result = await ingestor.WriteAsync(collection, staged.Prepared!, vectors?.Vectors, ct);
            if (access is { List: null })
            {
                // A write keeps the stored list when given none; the manifest said "no list", so it is removed.
                await store.SetDocumentAccessAsync(collection, item.Path, null, ct);
            }
        }
        catch (DocumentRejectedException e)
        {
            error = e.Message;
        }
        catch (ExtractionException e)
        {
            error = e.Message;
        }
        catch (StorageUnavailableException e) when (!ct.IsCancellationRequested)
        {
            await jobs.CompleteItemAsync(jobId, item.Ordinal, ItemStatus.Failed, item.Action, 0, e.Message, [], CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException && !ct.IsCancellationRequested)
        {
            log.SyncItemFailed(e, jobId, item.Path);
            error = "the document could not be ingested: " + e.Message;
        }

        // Unchanged here means an earlier run of this job wrote it just before an interruption: report what the plan said.
        var action = result?.Outcome switch
        {
            WriteOutcome.Created => SyncAction.Add,
            WriteOutcome.Updated => SyncAction.Update,
            _ => item.Action,
        };
        await jobs.CompleteItemAsync(jobId, item.Ordinal, error is null ? ItemStatus.Done : ItemStatus.Failed, action, result?.Chunks ?? 0, error, result?.Warnings ?? [], CancellationToken.None);
    }

    /// <summary>Deletes every document that is not a path of this job, including any added since the job was planned.</summary>
    private async Task PruneAsync(string jobId, CollectionInfo collection, CancellationToken ct)
    {
        var items = await jobs.GetItemsAsync(jobId, ct);
        var stored = await StoredSources.LoadAsync(store, collection, null, null, ct); // prune needs an unrestricted caller (SyncSubmission)
        var late = SyncPlanner.Deletions(stored.Keys, items.Select(i => i.Path));
        if (late.Count > 0)
        {
            await jobs.AddItemsAsync(jobId, late.Select(p => new NewJobItem(p, SyncAction.Delete, ItemStatus.Pending, null, null, null)).ToList(), ct);
            items = await jobs.GetItemsAsync(jobId, ct);
        }

        foreach (var item in items.Where(i => i.Status == ItemStatus.Pending && i.Action == SyncAction.Delete))
        {
            ct.ThrowIfCancellationRequested();
            await store.DeleteDocumentAsync(collection, item.Path, ct);
            await jobs.CompleteItemAsync(jobId, item.Ordinal, ItemStatus.Done, SyncAction.Delete, 0, null, [], CancellationToken.None);
        }
    }
}
