using System.Collections.Concurrent;

namespace RagService.Core.Cluster;

/// <summary>The cluster lock of a store only one process serves (SQLite: the data folder lock keeps a second service out).</summary>
public sealed class InProcessClusterLock : IClusterLock
{
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    public Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken ct) =>
        Task.FromResult<IAsyncDisposable?>(_held.TryAdd(name, 0) ? new Held(this, name) : null);

    private sealed class Held(InProcessClusterLock owner, string name) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner._held.TryRemove(name, out _);
            }

            return ValueTask.CompletedTask;
        }
    }
}
