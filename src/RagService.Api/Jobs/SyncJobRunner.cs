using RagService.Api.Ingestion;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Jobs;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;

namespace RagService.Api.Jobs;

/// <summary>
/// Runs a stored sync job: ingests the pending adds and updates one document at a time (each an atomic write), then,
/// with prune, deletes what the folder no longer has. Every finished item is recorded, so a job interrupted by a
/// shutdown or a crash resumes with the items still pending; an item redone after a crash is a no-op by content hash.
/// A finished job (or one stopped by an unavailable store, whose earlier documents stay) asks for the collection's fusion
/// calibration; it runs in the background once the job's writes are over (<see cref="CalibrationSchedule"/>).
/// </summary>
internal sealed class SyncJobRunner(IJobStore jobs, IKnowledgeStore store, DocumentIngestor ingestor, CollectionJobLocks locks, JobContentSpool spool,
    CalibrationSchedule calibration, ILogger<SyncJobRunner> log)
{
    public async Task RunAsync(string jobId, CancellationToken ct)
    {
        var job = await jobs.GetAsync(jobId, ct);
        if (job is null || job.IsFinished)
        {
            return;
        }

        using var hold = await locks.AcquireAsync(job.Collection, ct);
        job = await jobs.GetAsync(jobId, ct);
        if (job is null || job.IsFinished)
        {
            return;
        }

        var collection = await store.GetCollectionAsync(job.Collection, ct);
        if (collection is null)
        {
            await jobs.FinishAsync(jobId, JobState.Failed, $"collection '{job.Collection}' was deleted before the job could run", CancellationToken.None);
            spool.Delete(jobId);
            return;
        }

        try
        {
            await jobs.SetStateAsync(jobId, JobState.Running, JobStage.Ingesting, ct);
            var items = await jobs.GetItemsAsync(jobId, ct);
            foreach (var item in items.Where(i => i.Status == ItemStatus.Pending && i.Action is SyncAction.Add or SyncAction.Update))
            {
                ct.ThrowIfCancellationRequested();
                await IngestAsync(jobId, collection, item, ct);
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
            spool.Delete(jobId);
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
            spool.Delete(jobId);
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            // Checkpoint: finished items are recorded; the rest run when the service starts again. A store call cut short
            // by the shutdown may surface as its own exception rather than a cancellation; it is a checkpoint all the same.
            await jobs.SetStateAsync(jobId, JobState.Queued, JobStage.Planned, CancellationToken.None);
            if (e is OperationCanceledException)
            {
                throw;
            }

            throw new OperationCanceledException("stopped by shutdown", e, ct);
        }
    }

    private async Task IngestAsync(string jobId, CollectionInfo collection, JobItem item, CancellationToken ct)
    {
        // Jobs store their files in the spool; jobs queued by an older version kept them in the job table.
        var content = item.Sha256 is null ? null
            : await spool.ReadAsync(jobId, item.Sha256, ct) ?? await jobs.ReadContentAsync(jobId, item.Ordinal, ct);
        if (content is null || item.Sha256 is null)
        {
            await jobs.CompleteItemAsync(jobId, item.Ordinal, ItemStatus.Failed, item.Action, 0, "the file's content is missing from the job", [], CancellationToken.None);
            return;
        }

        string? error = null;
        IngestResult? result = null;
        try
        {
            result = await ingestor.IngestAsync(collection, content, item.Path, null, item.Path, null, SyncMetadata.For(item.Path),
                new SyncSource(item.Sha256, ingestor.Signature(collection)), null, ct);
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
