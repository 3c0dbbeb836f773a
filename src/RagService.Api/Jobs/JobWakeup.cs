namespace RagService.Api.Jobs;

/// <summary>
/// Wakes this replica's job worker when a request here queued a job, so it looks for work at once rather than at its
/// next poll (<see cref="SyncOptions.ClaimPollInterval"/>); jobs queued on other replicas are found by that poll.
/// </summary>
internal sealed class JobWakeup : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Signal()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up covers every job queued since.
        }
    }

    /// <summary>Waits for a signal or <paramref name="poll"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan poll, CancellationToken ct) => _signal.WaitAsync(poll, ct);

    public void Dispose() => _signal.Dispose();
}
