namespace RagService.Core.Resilience;

/// <summary>
/// When the circuit of a remote dependency opens and how long it stays open (sections Rag:Qdrant:Breaker and
/// Llm:Breaker). While open, calls fail at once instead of each waiting out its retries; after
/// <see cref="BreakDuration"/> one trial call is let through, and its success closes the circuit again.
/// </summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>Share of failed attempts within <see cref="SamplingDuration"/> that opens the circuit (0 &lt; ratio &lt;= 1).</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Attempts within <see cref="SamplingDuration"/> before the ratio counts (at least 2), so one failure never opens it.</summary>
    public int MinimumThroughput { get; init; } = 6;

    /// <summary>The window the failure ratio is measured over.</summary>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit fails calls at once before it lets a trial call through (half-open).</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Throws with the setting to fix (named under <paramref name="section"/>) when a value is out of range.</summary>
    public CircuitBreakerOptions Validate(string section)
    {
        Require(FailureRatio is > 0 and <= 1, section, nameof(FailureRatio), FailureRatio, "above 0 and at most 1");
        Require(MinimumThroughput is >= 2 and <= 10_000, section, nameof(MinimumThroughput), MinimumThroughput, "2..10000");
        // Polly's own lower bound for both times is half a second.
        Require(SamplingDuration >= TimeSpan.FromMilliseconds(500) && SamplingDuration <= TimeSpan.FromDays(1), section, nameof(SamplingDuration), SamplingDuration, "0.5 s..1 day");
        Require(BreakDuration >= TimeSpan.FromMilliseconds(500) && BreakDuration <= TimeSpan.FromDays(1), section, nameof(BreakDuration), BreakDuration, "0.5 s..1 day");
        return this;
    }

    private static void Require(bool ok, string section, string name, object value, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException($"{section}:Breaker:{name}", value, $"{section}:Breaker:{name} must be {range}, got {value}.");
        }
    }
}
