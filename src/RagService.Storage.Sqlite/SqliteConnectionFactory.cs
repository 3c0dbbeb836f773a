using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Data.Sqlite;

namespace RagService.Storage.Sqlite;

/// <summary>Opens pooled connections to one database file with the pragmas every connection needs.</summary>
internal sealed class SqliteConnectionFactory
{
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;

    public SqliteConnectionFactory(SqliteStoreOptions options)
    {
        var full = Path.GetFullPath(options.DatabasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
        }.ToString();
        _busyTimeoutMs = (int)options.BusyTimeout.TotalMilliseconds;
        DatabasePath = full;
    }

    public string DatabasePath { get; }

    /// <summary>A factory for a database whose tables exist (created on first use).</summary>
    public static SqliteConnectionFactory WithSchema(SqliteStoreOptions options)
    {
        // A data folder that cannot be written must not abort start-up: the store records the fault (readiness false, writes 503).
        var factory = new SqliteConnectionFactory(options);
        StorageFault.EnsureSchema(factory, NullLogger.Instance);
        return factory;
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
