using System.Net.Sockets;
using Npgsql;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// Turns PostgreSQL's "cannot be used now" failures (no connection, the server shutting down or out of resources, a
/// connection lost mid-statement) into the store-neutral <see cref="StorageUnavailableException"/> naming the store.
/// </summary>
/// <param name="onUnreachable">Runs when a fault says the server went away (the pool drops its idle connections, dead with it).</param>
public sealed class PostgresFaults(string location, Action? onUnreachable = null) : IStoreFaults
{
    public StorageUnavailableException? Translate(Exception exception)
    {
        if (exception is StorageUnavailableException u)
        {
            return u;
        }

        if (!IsUnreachable(exception))
        {
            return null;
        }

        onUnreachable?.Invoke();
        return new StorageUnavailableException(
            $"the store (PostgreSQL at {location}) cannot be used now ({exception.Message}); writes fail and nothing is half-written until it is back", exception);
    }

    /// <summary>
    /// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (operator intervention: shutdown,
    /// cannot connect now), 58 (system error); or no server answering at all.
    /// </summary>
    public static bool IsUnreachable(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("53", StringComparison.Ordinal)
            || p.SqlState.StartsWith("57P", StringComparison.Ordinal) || p.SqlState.StartsWith("58", StringComparison.Ordinal),
        NpgsqlException n => n.InnerException is SocketException or IOException or TimeoutException || n.IsTransient,
        SocketException or TimeoutException => true,
        _ => false,
    };
}
