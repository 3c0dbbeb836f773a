using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using RagService.Core.Diagnostics;

namespace RagService.Core.Resilience;

/// <summary>
/// Every call to one remote dependency (Qdrant, the LLM endpoint) goes through one Polly pipeline: transient failures
/// are retried with exponential backoff and jitter, inside a circuit breaker (<see cref="CircuitBreakerOptions"/>)
/// that fails calls at once, without a call or a retry delay, while the dependency keeps failing. Only failures
/// <c>isTransient</c> accepts are retried or counted by the breaker; a cancelled caller never is. The circuit's state is
/// what readiness reports and the rag.circuit.state gauge exports (0 closed, 1 open, 2 half-open). Per-attempt time
/// limits stay with the caller (a gRPC deadline, the LLM's first-token limit), because Polly's timeout strategy ends
/// its token with the callback, and a stream keeps using its attempt's token afterwards.
/// </summary>
public sealed class DependencyCircuit : IDisposable
{
    /// <summary>DI key of a <see cref="TimeProvider"/> that replaces the system clock for retry delays and break times (tests use a fake one).</summary>
    public const string ClockKey = "dependency-circuits";

    private static readonly ResiliencePropertyKey<bool> NoRetry = new("rag.no-retry");
    private static readonly ConcurrentDictionary<DependencyCircuit, byte> Live = new();

    private static readonly ObservableGauge<int> StateGauge = RagTelemetry.Meter.CreateObservableGauge(
        "rag.circuit.state", () => Live.Keys.Select(c => new Measurement<int>((int)c.State, new("dependency", c.Dependency), new("endpoint", c.Endpoint))),
        description: "Circuit of a remote dependency: 0 closed, 1 open (calls fail at once), 2 half-open (one trial call)");

    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _state = new();
    private readonly TimeProvider _time;
    private volatile Opening? _opening;

    /// <param name="dependency">What the gauge and the messages call it, e.g. "qdrant".</param>
    /// <param name="endpoint">Where it is (host:port), told apart in the gauge.</param>
    /// <param name="maxRetries">Retries after the first attempt (0 = none).</param>
    /// <param name="retryDelay">Median delay before the first retry; it doubles at each further one, with jitter.</param>
    public DependencyCircuit(string dependency, string endpoint, int maxRetries, TimeSpan retryDelay, CircuitBreakerOptions breaker,
        Func<Exception, bool> isTransient, TimeProvider? time = null)
    {
        Dependency = dependency;
        Endpoint = endpoint;
        _time = time ?? TimeProvider.System;
        var builder = new ResiliencePipelineBuilder { Name = dependency, TimeProvider = _time };
        if (maxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxRetries,
                Delay = retryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // An open circuit is not retried: that is the point of it (its exception carries the last failure inside,
                // which a predicate that looks at inner exceptions would take for a transient one).
                ShouldHandle = args => ValueTask.FromResult(!args.Context.Properties.GetValue(NoRetry, false) && args.Outcome.Exception is { } e
                    and not BrokenCircuitException && !args.Context.CancellationToken.IsCancellationRequested && isTransient(e)),
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = breaker.FailureRatio,
            MinimumThroughput = breaker.MinimumThroughput,
            SamplingDuration = breaker.SamplingDuration,
            BreakDuration = breaker.BreakDuration,
            StateProvider = _state,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested && isTransient(e)),
            OnOpened = args =>
            {
                _opening = new Opening(_time.GetUtcNow() + args.BreakDuration, args.Outcome.Exception);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                _opening = null;
                return ValueTask.CompletedTask;
            },
        });
        _pipeline = builder.Build();
        Live.TryAdd(this, 0);
        _ = StateGauge;
    }

    public string Dependency { get; }

    public string Endpoint { get; }

    public CircuitState State => _state.CircuitState;

    /// <summary>While the circuit is open: when it lets the next trial call through, and the failure that opened it.</summary>
    public (DateTimeOffset RetryAt, Exception? LastFailure)? OpenUntil =>
        State == CircuitState.Open && _opening is { } opening ? (opening.RetryAt, opening.LastFailure) : null;

    /// <summary>
    /// Runs <paramref name="call"/> through the pipeline. Throws what the last attempt threw, or
    /// <see cref="BrokenCircuitException"/> at once while the circuit is open.
    /// </summary>
    /// <param name="retry">False for a call that must answer quickly (a health check): one attempt, still counted by the breaker.</param>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct, bool retry = true)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(NoRetry, !retry);
        try
        {
            return await _pipeline.ExecuteAsync(static async (ctx, call) => await call(ctx.CancellationToken), context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The open circuit in words for error messages and readiness, with how long calls keep failing at once.</summary>
    public string DescribeOpen() => OpenUntil is { } open
        ? $"circuit open after repeated failures, next try in {Math.Max(0, (open.RetryAt - _time.GetUtcNow()).TotalSeconds):0.#} s"
        : "circuit open after repeated failures";

    public void Dispose() => Live.TryRemove(this, out _);

    private sealed record Opening(DateTimeOffset RetryAt, Exception? LastFailure);
}
