using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using RagService.Tests.Shared;

namespace RagService.Api.Tests;

/// <summary>
/// Which store the hosts of the running test use: SQLite (the default) or PostgreSQL, chosen by a test class's
/// constructor (<see cref="UsePostgres"/>), which the suites' PostgreSQL subclasses call. Each data folder gets a
/// database of its own on the RAG_POSTGRES server, and a host restarted on the same folder finds the same database.
/// Without RAG_POSTGRES the PostgreSQL cases are skipped with the reason.
/// </summary>
public static class StoreChoice
{
    private static readonly AsyncLocal<bool> Postgres = new();
    private static readonly ConcurrentDictionary<string, PostgresTestDatabase> Databases = new(StringComparer.Ordinal);

    public static void UsePostgres()
    {
        ServiceHost.StoreArguments = Arguments;
        Postgres.Value = true;
    }

    /// <summary>The settings that put a host on the chosen store (none for SQLite).</summary>
    public static IEnumerable<string> Arguments(IReadOnlyList<string> args)
    {
        if (!Postgres.Value)
        {
            return [];
        }

        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        var folder = args.Last(a => a.StartsWith("--Rag:DatabasePath=", StringComparison.Ordinal));
        var database = Databases.GetOrAdd(folder, _ => new PostgresTestDatabase());
        return ["--Rag:Store=postgres", $"--Rag:Postgres:ConnectionString={database.ConnectionString}", "--Rag:Postgres:MaxPoolSize=10"];
    }

    /// <summary>An open connection to the store a host with this database path uses, to check rows past the API.</summary>
    public static DbConnection Connect(string databasePath)
    {
        DbConnection connection = Databases.TryGetValue("--Rag:DatabasePath=" + databasePath, out var database)
            ? new NpgsqlConnection(database.ConnectionString)
            : new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>The PostgreSQL database of the host with this database path.</summary>
    public static string DatabaseName(string databasePath) => Databases["--Rag:DatabasePath=" + databasePath].Name!;
}
