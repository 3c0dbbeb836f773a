using Npgsql;
using RagService.Storage.Postgres;

namespace RagService.Cli.Migrate.Store;

/// <summary>
/// The two ends of `rag migrate-store`: "sqlite:PATH" (an existing database file) and "postgres:CONN" (an Npgsql
/// connection string). Anything else is a usage error naming what was expected.
/// </summary>
internal static class StoreAddress
{
    public static string SqlitePath(string from)
    {
        var path = After(from, "sqlite", "--from", "sqlite:PATH");
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--from: no SQLite database at {Path.GetFullPath(path)}");
        }

        return path;
    }

    public static PostgresStoreOptions Postgres(string to)
    {
        var connection = After(to, "postgres", "--to", "postgres:CONN");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connection);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--to: '{connection}' is not an Npgsql connection string (Host=...;Database=...;Username=...): {e.Message}");
        }

        return new PostgresStoreOptions { ConnectionString = connection, RetryCount = 0 };
    }

    private static string After(string address, string scheme, string option, string shape)
    {
        var colon = address.IndexOf(':', StringComparison.Ordinal);
        var given = colon < 0 ? "" : address[..colon];
        if (!string.Equals(given, scheme, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{option} must be {shape}, not '{address}' ({(colon < 0 ? "no scheme" : $"unknown scheme '{given}'")})");
        }

        var rest = address[(colon + 1)..];
        if (rest.Length == 0)
        {
            throw new ArgumentException($"{option} must be {shape}: nothing after '{scheme}:'");
        }

        return rest;
    }
}
