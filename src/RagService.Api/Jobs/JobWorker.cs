using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Jobs;

namespace RagService.Api.Jobs;

/// <summary>
/// Runs the cluster's jobs, one at a time per replica: it leases the next job it may run from the store (queued on
/// any replica, or left by a replica whose lease expired), runs it under that lease, and looks again when a request
/// here queues a job or every <see cref="SyncOptions.ClaimPollInterval"/>. When the store cannot be used it looks again
/// every <see cref="SyncOptions.ResumeRetryInterval"/>. At shutdown the running job stops between documents and goes
/// back to the queue for any replica.
/// </summary>
internal sealed class JobWorker(IJobStore jobs, SyncJobRunner runner, JobWakeup wakeup, JobLeaseOwner owner, Core.Cluster.IClusterLock clusterLock, IOptions<RagOptions> options,
    IEnumerable<Core.Storage.IStoreFaults> storeFaults, ILogger<JobWorker> log) : BackgroundService
{
    private SyncOptions Sync => options.Value.Sync;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cleaned = false;
        var storeDown = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            string? id;
            try
            {
                if (!cleaned)
                {
                    await DeleteExpiredAsync(stoppingToken);
                    if (await jobs.EndLeasesOfEndedProcessesAsync(owner.Name, stoppingToken) is > 0 and var ended)
                    {
                        log.EndedProcessLeasesTakenOver(ended);
                    }

                    cleaned = true;
                }

                id = await jobs.ClaimNextAsync(owner.Name, TimeSpan.FromSeconds(Sync.LeaseSeconds), stoppingToken);
                if (storeDown)
                {
                    log.JobTableBack();
                    storeDown = false;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested && IsStoreFault(e))
            {
                // A store that is down or a broken data folder: the service keeps serving what it can; readiness reports the store.
                if (!storeDown)
                {
                    log.JobTableUnusable(e.Message, Sync.ResumeRetryInterval);
                    storeDown = true;
                }

                await Task.Delay(Sync.ResumeRetryInterval, stoppingToken);
                continue;
            }

            if (id is null)
            {
                await wakeup.WaitAsync(Sync.ClaimPollInterval, stoppingToken);
                continue;
            }

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
            }
        }
    }

    private bool IsStoreFault(Exception e) =>
        e is Core.Storage.StorageUnavailableException or IOException or UnauthorizedAccessException || storeFaults.Any(f => f.Translate(e) is not null);

    /// <summary>At start, on one replica at a time (the others find the cluster lock taken and leave it to that one).</summary>
    private async Task DeleteExpiredAsync(CancellationToken ct)
    {
        await using var held = await clusterLock.TryAcquireAsync("jobs-cleanup", ct);
        if (held is null)
        {
            return;
        }

        var expired = await jobs.DeleteFinishedBeforeAsync(DateTimeOffset.UtcNow.AddDays(-Sync.JobRetentionDays), ct);
        if (expired > 0)
        {
            log.JobsExpired(expired, Sync.JobRetentionDays);
        }
    }
}
