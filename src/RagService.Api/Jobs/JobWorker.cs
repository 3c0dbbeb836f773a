using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Jobs;

namespace RagService.Api.Jobs;

/// <summary>
/// Runs queued jobs one at a time. At start it resumes the jobs a previous process left queued or running; at shutdown
/// the running job stops between documents and is left queued for the next start.
/// </summary>
internal sealed class JobWorker(JobQueue queue, IJobStore jobs, SyncJobRunner runner, JobContentSpool spool, IOptions<RagOptions> options, IEnumerable<Core.Storage.IStoreFaults> storeFaults, ILogger<JobWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ResumeAsync(stoppingToken);
        }
        catch (Exception e) when (e is Core.Storage.StorageUnavailableException or IOException or UnauthorizedAccessException || storeFaults.Any(f => f.Translate(e) is not null))
        {
            // A read-only or broken data folder: the service keeps serving what it can; readiness reports the store.
            log.LogError("Jobs are unavailable: the job table cannot be used ({Reason})", e.Message);
            return;
        }

        await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await runner.RunAsync(id, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                log.LogInformation("Job {JobId} checkpointed at shutdown; it resumes at the next start", id);
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "Job {JobId} failed", id);
                await jobs.FinishAsync(id, JobState.Failed, "the job failed unexpectedly: " + e.Message, CancellationToken.None);
                spool.Delete(id);
            }
            finally
            {
                queue.Release(id);
            }
        }
    }

    private async Task ResumeAsync(CancellationToken stoppingToken)
    {
        var expired = await jobs.DeleteFinishedBeforeAsync(DateTimeOffset.UtcNow.AddDays(-options.Value.Sync.JobRetentionDays), stoppingToken);
        if (expired > 0)
        {
            log.LogInformation("Deleted {Count} finished jobs older than {Days} days", expired, options.Value.Sync.JobRetentionDays);
        }

        var unfinished = await jobs.ListUnfinishedAsync(stoppingToken);
        spool.KeepOnly(unfinished.ToHashSet(StringComparer.Ordinal));
        foreach (var id in unfinished)
        {
            log.LogInformation("Resuming job {JobId}", id);
            queue.Resume(id, spool.Bytes(id));
        }
    }
}
