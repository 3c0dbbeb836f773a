using RagService.Core.Jobs;

namespace RagService.Api.Jobs;

/// <summary>The name this process leases jobs under: unique per process, so a restarted replica never mistakes an old lease for its own.</summary>
internal sealed class JobLeaseOwner
{
    public string Name { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
}

/// <summary>
/// A job lease this process holds while it runs the job: renewed every <see cref="SyncOptions.HeartbeatSeconds"/>.
/// <see cref="Token"/> is cancelled at shutdown and when the lease is lost: the store says another worker holds it, or
/// it could not be renewed before it expired (another replica may then take the job over), so the run stops between
/// documents instead of racing the new holder.
/// </summary>
internal sealed class JobLease : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly Task _heartbeat;

    private JobLease(IJobStore jobs, string jobId, string owner, SyncOptions sync, ILogger log, CancellationToken stopping)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _heartbeat = BeatAsync(jobs, jobId, owner, sync, log);
    }

    public CancellationToken Token => _cancel.Token;

    /// <summary>True once the lease is gone: the job is another worker's now.</summary>
    public bool Lost { get; private set; }

    /// <summary>Starts renewing a lease the caller has just claimed.</summary>
    public static JobLease Hold(IJobStore jobs, string jobId, string owner, SyncOptions sync, ILogger log, CancellationToken stopping) =>
        new(jobs, jobId, owner, sync, log, stopping);

    private async Task BeatAsync(IJobStore jobs, string jobId, string owner, SyncOptions sync, ILogger log)
    {
        var lease = TimeSpan.FromSeconds(sync.LeaseSeconds);
        var renewedAt = System.Diagnostics.Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(sync.HeartbeatSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(_cancel.Token))
            {
                try
                {
                    if (!await jobs.RenewLeaseAsync(jobId, owner, lease, _cancel.Token))
                    {
                        log.LeaseTaken(jobId);
                        Lose();
                        return;
                    }

                    renewedAt.Restart();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (renewedAt.Elapsed >= lease)
                    {
                        log.LeaseNotRenewed(jobId, e.Message);
                        Lose();
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Lose()
    {
        Lost = true;
        _cancel.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync();
        await _heartbeat;
        _cancel.Dispose();
    }
}
