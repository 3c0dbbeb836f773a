namespace RagService.Core.ChangeLog;

/// <summary>Rag:ChangeLog: how the indexes follow the store's change log and how long the log is kept.</summary>
public sealed record ChangeLogOptions
{
    public const string Section = "Rag:ChangeLog";

    /// <summary>Versions of each collection the log keeps; an index further behind than this rebuilds instead of catching up.</summary>
    public long RetainVersions { get; init; } = 100_000;

    /// <summary>How often the follower checks the store's versions when no signal came (PostgreSQL NOTIFY wakes it sooner).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the log is trimmed to <see cref="RetainVersions"/>.</summary>
    public TimeSpan TrimInterval { get; init; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (RetainVersions < 1)
        {
            throw new ArgumentException($"{Section}:RetainVersions must be at least 1 (it was {RetainVersions})");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(10) || PollInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"{Section}:PollInterval must be between 10 ms and 10 minutes (it was {PollInterval})");
        }

        if (TrimInterval < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"{Section}:TrimInterval must be at least 1 second (it was {TrimInterval})");
        }
    }
}
