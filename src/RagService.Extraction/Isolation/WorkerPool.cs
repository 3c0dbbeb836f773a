using System.Collections.Concurrent;

namespace RagService.Extraction.Isolation;

/// <summary>
/// Keeps up to <see cref="ExtractionIsolationOptions.PoolSize"/> workers warm (started on first need, so JIT and
/// parser start-up are paid once per worker) and lends each to one file at a time. A worker that died, was killed or
/// has served its quota is disposed and replaced at once when workers warm up (so the replacement is warm when the
/// next file comes), else on the next need.
/// </summary>
internal sealed class WorkerPool(ExtractionOptions extraction, ExtractionIsolationOptions limits) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(limits.PoolSize, limits.PoolSize);
    private readonly ConcurrentBag<ExtractionWorker> _idle = [];
    private volatile bool _disposed;

    /// <summary>How the workers' memory is bounded, decided once when the pool is made.</summary>
    public MemoryLimitMechanism MemoryLimit { get; } = MemoryLimitMechanism.Choose(limits);

    /// <summary>How many workers were started so far (a replaced worker counts again).</summary>
    public int Started => _started;

    private int _started;

    public async Task<T> UseAsync<T>(Func<ExtractionWorker, Task<T>> work, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        ExtractionWorker? worker = null;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            worker = TakeIdle() ?? StartWorker();
            return await work(worker).ConfigureAwait(false);
        }
        finally
        {
            if (worker is not null)
            {
                if (worker.Usable && !_disposed)
                {
                    _idle.Add(worker);
                }
                else
                {
                    worker.Dispose();
                    StartSpare();
                }
            }

            _slots.Release();
        }
    }

    private ExtractionWorker? TakeIdle()
    {
        while (_idle.TryTake(out var worker))
        {
            if (worker.Usable)
            {
                return worker;
            }

            worker.Dispose();
        }

        return null;
    }

    /// <summary>
    /// Replaces a retired or dead worker at once, so that the replacement starts and warms up while the caller goes on
    /// (chunking, embedding) rather than when the next file arrives. A failed start is left to the next file to report.
    /// </summary>
    private void StartSpare()
    {
        if (_disposed || !limits.WarmUpWorkers)
        {
            return;
        }

        try
        {
            _idle.Add(StartWorker());
        }
        catch (InvalidOperationException)
        {
            return;
        }

        if (_disposed)
        {
            DisposeIdle();
        }
    }

    private ExtractionWorker StartWorker()
    {
        Interlocked.Increment(ref _started);
        return ExtractionWorker.Start(extraction, limits, MemoryLimit);
    }

    public void Dispose()
    {
        _disposed = true;
        DisposeIdle();
    }

    private void DisposeIdle()
    {
        while (_idle.TryTake(out var worker))
        {
            worker.Dispose();
        }
    }
}
