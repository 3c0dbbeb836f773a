using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace RagService.Tests.Clocks;

/// <summary>
/// A fake clock that tells the test when the code under test starts waiting on it: every timer set with a finite due
/// time (a retry delay, a timeout) is counted and queued, so a test moves time exactly past a wait it knows was set,
/// and can check that no wait was set at all.
/// </summary>
internal sealed class TimerGateClock : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _set = Channel.CreateUnbounded<TimeSpan>();
    private int _timersSet;

    public TimerGateClock()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Timers set so far with a finite due time.</summary>
    public int TimersSet => Volatile.Read(ref _timersSet);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            Interlocked.Increment(ref _timersSet);
            _set.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>
    /// Moves time past every wait the code sets until <paramref name="work"/> has finished, for tests about what happens
    /// after the retries rather than about their delays (a jittered delay may round to zero and set no timer).
    /// </summary>
    public async Task AdvanceUntilDoneAsync(Task work)
    {
        while (!work.IsCompleted)
        {
            var next = _set.Reader.ReadAsync().AsTask();
            if (await Task.WhenAny(work, next).WaitAsync(TimeSpan.FromSeconds(30)) == next)
            {
                Advance(await next);
            }
        }
    }

    /// <summary>Waits until the next timer is set, then moves time to its due time; returns the due time.</summary>
    public async Task<TimeSpan> AdvancePastNextTimerAsync()
    {
        var due = await _set.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Advance(due);
        return due;
    }
}
