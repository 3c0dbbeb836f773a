using Npgsql;

namespace RagService.Storage.Postgres;

/// <summary>The "Rag:Postgres" section: where the shared database is and how the service talks to it.</summary>
public sealed record PostgresStoreOptions
{
    public const string Section = "Rag:Postgres";

    /// <summary>An Npgsql connection string (Host=...;Database=...;Username=...;Password=...); env RAG_POSTGRES.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Most connections this process holds open to the database (shared by every store port).</summary>
    public int MaxPoolSize { get; init; } = 50;

    /// <summary>How long one statement may run before it is cancelled (and its write rolled back).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long opening a connection may take before the attempt fails.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many times a failed connection attempt is tried again (with a growing pause) before the store is reported unavailable.</summary>
    public int RetryCount { get; init; } = 2;

    /// <summary>Returns the options when every value is usable; otherwise throws naming the setting to fix.</summary>
    public PostgresStoreOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"{Section}:ConnectionString (or RAG_POSTGRES) must name the PostgreSQL database when Rag:Store is 'postgres'.");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{Section}:ConnectionString is not a valid Npgsql connection string: {e.Message}");
        }

        Check(nameof(MaxPoolSize), MaxPoolSize, MaxPoolSize is >= 1 and <= 1000, "between 1 and 1000");
        Check(nameof(CommandTimeout), CommandTimeout, CommandTimeout >= TimeSpan.FromSeconds(1) && CommandTimeout <= TimeSpan.FromHours(1), "between 1 second and 1 hour");
        Check(nameof(ConnectTimeout), ConnectTimeout, ConnectTimeout >= TimeSpan.FromSeconds(1) && ConnectTimeout <= TimeSpan.FromMinutes(5), "between 1 second and 5 minutes");
        Check(nameof(RetryCount), RetryCount, RetryCount is >= 0 and <= 10, "between 0 and 10");
        return this;
    }

    private static void Check(string name, object value, bool ok, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException($"{Section}:{name}", value, $"{Section}:{name} must be {range}.");
        }
    }
}
