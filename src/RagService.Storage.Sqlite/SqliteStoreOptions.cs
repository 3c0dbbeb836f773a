namespace RagService.Storage.Sqlite;

public sealed record SqliteStoreOptions
{
    /// <summary>Path of the SQLite database file; created with its folder when missing.</summary>
    public string DatabasePath { get; init; } = "data/ragservice.db";

    /// <summary>How long a writer waits for another process's write lock before failing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
