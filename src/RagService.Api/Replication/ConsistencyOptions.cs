namespace RagService.Api.Replication;

/// <summary>Rag:Consistency: how long a search asking for a minimum collection version may wait for this replica to reach it.</summary>
public sealed class ConsistencyOptions
{
    public const string Section = "Rag:Consistency";

    /// <summary>Longest wait for the minimum version before answering 503 with Retry-After.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retry-After, seconds, sent with that 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    public ConsistencyOptions Validate()
    {
        if (MaxWait < TimeSpan.Zero || MaxWait > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"{Section}:MaxWait must be between 0 and 1 minute (it was {MaxWait})");
        }

        if (RetryAfterSeconds is < 1 or > 3600)
        {
            throw new InvalidOperationException($"{Section}:RetryAfterSeconds must be between 1 and 3600 (it was {RetryAfterSeconds})");
        }

        return this;
    }
}
