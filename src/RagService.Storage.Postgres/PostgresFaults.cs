using System.Net.Sockets;
using Npgsql;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// Turns PostgreSQL's "cannot be used now" failures (no connection, the server shutting down or out of resources, a
/// connection lost mid-statement) into the store-neutral <see cref="StorageUnavailableException"/> naming the store.
/// </summary>
public sealed class PostgresFaults(string location) : IStoreFaults
{
    public StorageUnavailableException? Translate(Exception exception) => exception switch
    {
        StorageUnavailableException u => u,
        _ when IsUnreachable(exception) => new StorageUnavailableException(
            $"the store (PostgreSQL at {location}) cannot be used now ({exception.Message}); writes fail and nothing is half-written until it is back", exception),
        _ => null,
    };

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
