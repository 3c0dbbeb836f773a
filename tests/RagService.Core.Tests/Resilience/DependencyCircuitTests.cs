using Polly.CircuitBreaker;
using RagService.Core.Resilience;
using RagService.Tests.Clocks;

namespace RagService.Core.Tests.Resilience;

/// <summary>
/// The retry-and-breaker pipeline every remote dependency goes through, on a fake clock whose timers the test sees:
/// a call counter shows what reached the dependency, the clock's timer count shows whether a retry delay was waited.
/// </summary>
public sealed class DependencyCircuitTests
{
    private static readonly CircuitBreakerOptions Breaker = new() { MinimumThroughput = 2, FailureRatio = 0.5, SamplingDuration = TimeSpan.FromMinutes(1), BreakDuration = TimeSpan.FromSeconds(30) };

    private sealed class Transient() : Exception("down");

    private static DependencyCircuit Circuit(TimerGateClock clock, int maxRetries = 1, CircuitBreakerOptions? breaker = null) =>
        new("test", "host:1", maxRetries, TimeSpan.FromSeconds(1), breaker ?? Breaker, e => e is Transient, clock);

    [Fact]
    public async Task Transient_failures_are_retried_after_a_delay_then_answered()
    {
        var clock = new TimerGateClock();
        using var circuit = Circuit(clock, maxRetries: 3, breaker: Breaker with { MinimumThroughput = 100 });
        var calls = 0;

        var call = circuit.ExecuteAsync(_ => ++calls < 4 ? throw new Transient() : Task.FromResult(42), default);
        var delays = new List<TimeSpan>();
        while (delays.Count < 3)
        {
            delays.Add(await clock.AdvancePastNextTimerAsync());
        }

        Assert.Equal(42, await call);
        Assert.Equal(4, calls);
        Assert.All(delays, d => Assert.True(d > TimeSpan.Zero, $"a retry waits: {d}"));
    }

    [Fact]
    public async Task A_failure_that_is_not_transient_is_neither_retried_nor_counted()
    {
        var clock = new TimerGateClock();
        using var circuit = Circuit(clock);
        var calls = 0;

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => circuit.ExecuteAsync<int>(_ =>
            {
                calls++;
                throw new InvalidOperationException("bad request");
            }, default));
        }

        Assert.Equal(3, calls);
        Assert.Equal(0, clock.TimersSet);
        Assert.Equal(CircuitState.Closed, circuit.State);
    }

    [Fact]
    public async Task After_enough_failures_calls_fail_at_once_until_the_break_ends_then_a_success_closes_it()
    {
        var clock = new TimerGateClock();
        using var circuit = Circuit(clock);
        var calls = 0;
        var up = false;
        Task<int> Call() => circuit.ExecuteAsync(_ =>
        {
            calls++;
            return up ? Task.FromResult(7) : throw new Transient();
        }, default);

        // Two failed attempts (one call and its retry) reach the minimum throughput at a 100 % failure ratio.
        var first = Call();
        await clock.AdvancePastNextTimerAsync();
        await Assert.ThrowsAsync<Transient>(() => first);
        Assert.Equal(2, calls);
        Assert.Equal(CircuitState.Open, circuit.State);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(30), circuit.OpenUntil!.Value.RetryAt);

        // Open: no call reaches the dependency and no retry delay is set.
        var timers = clock.TimersSet;
        await Assert.ThrowsAsync<BrokenCircuitException>(Call);
        Assert.Equal(2, calls);
        Assert.Equal(timers, clock.TimersSet);

        up = true;
        clock.Advance(TimeSpan.FromSeconds(29));
        await Assert.ThrowsAsync<BrokenCircuitException>(Call);
        Assert.Equal(2, calls);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(7, await Call());
        Assert.Equal(3, calls);
        Assert.Equal(CircuitState.Closed, circuit.State);
        Assert.Null(circuit.OpenUntil);
    }

    [Fact]
    public async Task A_failed_trial_call_opens_the_circuit_again()
    {
        var clock = new TimerGateClock();
        using var circuit = Circuit(clock, maxRetries: 0);
        var calls = 0;
        Task<int> Call(bool retry = true) => circuit.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new Transient();
        }, default, retry);

        await Assert.ThrowsAsync<Transient>(() => Call());
        await Assert.ThrowsAsync<Transient>(() => Call());
        Assert.Equal(CircuitState.Open, circuit.State);

        clock.Advance(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<Transient>(() => Call(retry: false));
        Assert.Equal(3, calls);
        Assert.Equal(CircuitState.Open, circuit.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Call());
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_call_without_retries_makes_one_attempt()
    {
        var clock = new TimerGateClock();
        using var circuit = Circuit(clock, maxRetries: 3);
        var calls = 0;

        await Assert.ThrowsAsync<Transient>(() => circuit.ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new Transient();
        }, default, retry: false));

        Assert.Equal(1, calls);
        Assert.Equal(0, clock.TimersSet);
    }

    [Fact]
    public async Task A_cancelled_caller_is_neither_retried_nor_counted()
    {
        var clock = new TimerGateClock();
        using var circuit = Circuit(clock, maxRetries: 3);
        var calls = 0;

        for (var i = 0; i < 3; i++)
        {
            using var cts = new CancellationTokenSource();
            await Assert.ThrowsAsync<Transient>(() => circuit.ExecuteAsync<int>(_ =>
            {
                calls++;
                cts.Cancel();
                throw new Transient();
            }, cts.Token));
        }

        Assert.Equal(3, calls);
        Assert.Equal(0, clock.TimersSet);
        Assert.Equal(CircuitState.Closed, circuit.State);
    }

    [Theory]
    [InlineData(0.0, 2, 30, 15, "FailureRatio")]
    [InlineData(0.5, 1, 30, 15, "MinimumThroughput")]
    [InlineData(0.5, 2, 0, 15, "SamplingDuration")]
    [InlineData(0.5, 2, 30, 0, "BreakDuration")]
    public void Out_of_range_breaker_options_name_the_setting(double ratio, int throughput, int samplingSeconds, int breakSeconds, string setting)
    {
        var options = new CircuitBreakerOptions
        {
            FailureRatio = ratio, MinimumThroughput = throughput,
            SamplingDuration = TimeSpan.FromSeconds(samplingSeconds), BreakDuration = TimeSpan.FromSeconds(breakSeconds),
        };

        var e = Assert.ThrowsAny<ArgumentException>(() => options.Validate("Llm"));
        Assert.Contains("Llm:Breaker:" + setting, e.Message, StringComparison.Ordinal);
    }
}
