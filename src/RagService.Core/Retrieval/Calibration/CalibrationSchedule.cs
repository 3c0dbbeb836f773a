using Microsoft.Extensions.DependencyInjection;
namespace RagService.Core.Retrieval.Calibration;

/// <summary>Where a collection's calibration stands in the background: nothing to do, waiting for writes to settle, or running.</summary>
public enum CalibrationActivity
{
    Idle,
    Scheduled,
    Running,
}

/// <summary>
/// Collections whose calibration is due, debounced: a request is due <see cref="CalibrationOptions.DebounceDelay"/> after
/// the collection's latest request, and at most <see cref="CalibrationOptions.MaxDelay"/> after the first one not yet
/// served, so a burst of writes gives one calibration. A collection is handed out once at a time; a request that arrives
/// while it runs is served after it (the run may have read the collection before that write).
/// </summary>
public sealed class CalibrationSchedule(CalibrationOptions options, [FromKeyedServices(CalibrationSchedule.ClockKey)] TimeProvider? time = null)
{
    /// <summary>DI key of a <see cref="TimeProvider"/> that replaces the system clock for the schedule (tests use a fake one).</summary>
    public const string ClockKey = "calibration-schedule";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset First, DateTimeOffset Last)> _requested = new(StringComparer.Ordinal);
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Marks the collection's calibration due (again), after the debounce delay.</summary>
    public void Request(string collection)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _requested[collection] = _requested.TryGetValue(collection, out var earlier) ? (earlier.First, now) : (now, now);
        }

        Signal();
    }

    public CalibrationActivity ActivityOf(string collection)
    {
        lock (_gate)
        {
            return _running.Contains(collection) ? CalibrationActivity.Running
                : _requested.ContainsKey(collection) ? CalibrationActivity.Scheduled
                : CalibrationActivity.Idle;
        }
    }

    /// <summary>Waits until a collection's calibration is due and marks it running; the caller calls <see cref="Finished"/> after it.</summary>
    public async Task<string> NextDueAsync(CancellationToken ct)
    {
        while (true)
        {
            Task changed;
            TimeSpan? wait = null;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                string? next = null;
                var nextAt = DateTimeOffset.MaxValue;
                foreach (var (collection, (first, last)) in _requested)
                {
                    var at = Min(last + options.DebounceDelay, first + options.MaxDelay);
                    if (!_running.Contains(collection) && at < nextAt)
                    {
                        (next, nextAt) = (collection, at);
                    }
                }

                if (next is not null && nextAt <= now)
                {
                    _requested.Remove(next);
                    _running.Add(next);
                    return next;
                }

                changed = _changed.Task;
                if (next is not null)
                {
                    wait = nextAt - now;
                }
            }

            if (wait is null)
            {
                await changed.WaitAsync(ct);
                continue;
            }

            // A new request can move the due time; wake for it or for the timer, whichever comes first.
            using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAny(changed, Task.Delay(wait.Value, _time, stopTimer.Token));
            await stopTimer.CancelAsync();
            ct.ThrowIfCancellationRequested();
        }
    }

    public void Finished(string collection)
    {
        lock (_gate)
        {
            _running.Remove(collection);
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource fired;
        lock (_gate)
        {
            fired = _changed;
            _changed = NewSignal();
        }

        fired.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
