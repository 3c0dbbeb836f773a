using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Jobs;

namespace RagService.Api.Jobs;

/// <summary>
/// Runs queued jobs one at a time. At start it resumes the jobs a previous process left queued or running (when the
/// store cannot be used then, it looks again every <see cref="SyncOptions.ResumeRetryInterval"/> until it can); at
/// shutdown the running job stops between documents and is left queued for the next start.
/// </summary>
internal sealed class JobWorker(JobQueue queue, IJobStore jobs, SyncJobRunner runner, JobContentSpool spool, IOptions<RagOptions> options, IEnumerable<Core.Storage.IStoreFaults> storeFaults, ILogger<JobWorker> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ResumeAsync(stoppingToken);
                if (attempt > 0)
                {
                    log.JobTableBack();
                }

                break;
            }
            catch (Exception e) when (e is Core.Storage.StorageUnavailableException or IOException or UnauthorizedAccessException || storeFaults.Any(f => f.Translate(e) is not null))
            {
                // A store that is down or a broken data folder: the service keeps serving what it can; readiness reports the store.
                if (attempt == 0)
                {
                    log.JobTableUnusable(e.Message, options.Value.Sync.ResumeRetryInterval);
                }

                await Task.Delay(options.Value.Sync.ResumeRetryInterval, stoppingToken);
            }
        }

        await foreach (var id in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await runner.RunAsync(id, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                log.JobCheckpointed(id);
                return;
            }
            catch (Exception e)
            {
                log.JobFailed(e, id);
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
            log.JobsExpired(expired, options.Value.Sync.JobRetentionDays);
        }

        var unfinished = await jobs.ListUnfinishedAsync(stoppingToken);
        spool.KeepOnly(unfinished.ToHashSet(StringComparer.Ordinal));
        // A job accepted by this process while the store was coming back is already queued here.
        foreach (var id in unfinished.Where(id => !queue.Holds(id)))
        {
            log.JobResuming(id);
            queue.Resume(id, spool.Bytes(id));
        }
    }
}
