using Microsoft.Extensions.Time.Testing;
using RagService.Core.Retrieval.Calibration;

namespace RagService.Core.Tests;

/// <summary>
/// The calibration schedule on a fake clock: a collection is due DebounceDelay after its last request, at most MaxDelay
/// after its first, handed out once at a time, and a request during a run is served after it. Every request is made
/// before NextDueAsync starts waiting, so its timer exists before the clock moves (no race with the wait).
/// </summary>
public sealed class CalibrationScheduleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new();
    private readonly CalibrationSchedule _schedule;

    public CalibrationScheduleTests() =>
        _schedule = new CalibrationSchedule(new CalibrationOptions { DebounceDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(60) }, _clock);

    [Fact]
    public async Task A_burst_of_requests_is_due_once_two_seconds_after_the_last()
    {
        for (var i = 0; i < 500; i++)
        {
            _schedule.Request("kb");
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        // Last request at 4.99 s; the clock is at 5.00 s: due at 6.99 s.
        Assert.Equal(CalibrationActivity.Scheduled, _schedule.ActivityOf("kb"));
        var next = _schedule.NextDueAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(1980));
        Assert.False(next.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal("kb", await next.WaitAsync(Bound));
        Assert.Equal(CalibrationActivity.Running, _schedule.ActivityOf("kb"));

        _schedule.Finished("kb");
        Assert.Equal(CalibrationActivity.Idle, _schedule.ActivityOf("kb"));
        var nothing = _schedule.NextDueAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.False(nothing.IsCompleted);
    }

    [Fact]
    public async Task A_stream_of_writes_is_calibrated_after_max_delay_at_the_latest()
    {
        for (var i = 0; i <= 50; i++)
        {
            _schedule.Request("kb");
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        // First request at 0 s, last at 50 s, clock at 51 s: due at min(52, 60) = 52 s.
        var next = _schedule.NextDueAsync(CancellationToken.None);
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(next.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("kb", await next.WaitAsync(Bound));
        _schedule.Finished("kb");

        for (var i = 0; i < 70; i++)
        {
            _schedule.Request("kb");
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Requests every second for 70 s: the first was 70 s ago, more than MaxDelay, so it is due at once.
        Assert.Equal("kb", await _schedule.NextDueAsync(CancellationToken.None).WaitAsync(Bound));
    }

    [Fact]
    public async Task A_request_during_a_run_is_served_after_it_and_other_collections_are_not_held_up()
    {
        _schedule.Request("a");
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("a", await _schedule.NextDueAsync(CancellationToken.None).WaitAsync(Bound));

        _schedule.Request("a");
        _schedule.Request("b");
        Assert.Equal(CalibrationActivity.Running, _schedule.ActivityOf("a"));
        Assert.Equal(CalibrationActivity.Scheduled, _schedule.ActivityOf("b"));
        _clock.Advance(TimeSpan.FromSeconds(2));

        // "a" is due too, but it is still running: "b" comes first, and "a" only after Finished.
        Assert.Equal("b", await _schedule.NextDueAsync(CancellationToken.None).WaitAsync(Bound));
        _schedule.Finished("b");
        var again = _schedule.NextDueAsync(CancellationToken.None);
        Assert.False(again.IsCompleted);
        _schedule.Finished("a");
        Assert.Equal("a", await again.WaitAsync(Bound));
    }

    [Fact]
    public async Task Waiting_stops_at_shutdown()
    {
        _schedule.Request("kb");
        using var stop = new CancellationTokenSource();
        var next = _schedule.NextDueAsync(stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(Bound));
    }

    [Theory]
    [InlineData(-1, 60)]
    [InlineData(5, 2)]
    [InlineData(2, 100_000)]
    public void Delays_out_of_range_are_refused_naming_the_options(int debounceSeconds, int maxSeconds)
    {
        var options = new CalibrationOptions { DebounceDelay = TimeSpan.FromSeconds(debounceSeconds), MaxDelay = TimeSpan.FromSeconds(maxSeconds) };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains("DebounceDelay", error.Message);
        Assert.Contains("MaxDelay", error.Message);
    }
}
