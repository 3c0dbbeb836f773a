using System.Collections.Concurrent;

namespace RagService.Api.Jobs;

/// <summary>One sync at a time per collection, so that a job's plan and prune see the state the previous sync left.</summary>
internal sealed class CollectionJobLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>Whether a sync holds the collection right now (a hint: a small sync then goes to the queue rather than wait in the request).</summary>
    public bool IsBusy(string collection) => _locks.TryGetValue(collection, out var gate) && gate.CurrentCount == 0;

    public async Task<IDisposable> AcquireAsync(string collection, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(collection, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Releaser(gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
