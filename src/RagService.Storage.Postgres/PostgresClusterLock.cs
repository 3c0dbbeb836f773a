using Npgsql;
using RagService.Core.Cluster;

namespace RagService.Storage.Postgres;

/// <summary>
/// Cluster locks as PostgreSQL session advisory locks (two-key form: this class's constant and the name's hashtext), each
/// held on a connection of its own: released explicitly, when the connection goes back to the pool (Npgsql resets the
/// session), or by the server when the holding replica dies and its connection drops.
/// </summary>
public sealed class PostgresClusterLock(PostgresDatabase database) : IClusterLock
{
    /// <summary>An arbitrary constant naming the service's cluster locks ("rags" in ASCII).</summary>
    private const int LockClass = 0x7261_6773;

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken ct)
    {
        var connection = await database.OpenAsync(ct);
        try
        {
            await using var take = PostgresDatabase.Command(connection, null, "SELECT pg_try_advisory_lock($1, hashtext($2))", LockClass, name);
            if (await take.ExecuteScalarAsync(ct) is true)
            {
                return new Held(connection, name);
            }
        }
        catch (Exception e) when (database.Faults.Translate(e) is { } unavailable)
        {
            await connection.DisposeAsync();
            throw unavailable;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private sealed class Held(NpgsqlConnection connection, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var release = PostgresDatabase.Command(connection, null, "SELECT pg_advisory_unlock($1, hashtext($2))", LockClass, name);
                await release.ExecuteScalarAsync();
            }
            catch (NpgsqlException)
            {
                // The connection is gone, and its session's locks with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
