using Npgsql;
using RagService.Tests.Shared;

namespace RagService.Api.Tests.Cluster;

/// <summary>
/// A folder holding a symbolic link to the real PostgreSQL server's Unix socket (the trick of PostgresJobResumeTests):
/// processes given <see cref="ConnectionString"/> reach the database through it. <see cref="CutAsync"/> makes the
/// database unreachable for them alone: the link goes (no new connection) and the server ends every backend of this
/// database (the connections they hold die), while the server and other test classes' databases go on.
/// </summary>
internal sealed class StoreLink : IDisposable
{
    private readonly string _realConnectionString;
    private readonly string _socket;
    private readonly string _target;
    private bool _linked;

    public StoreLink(string realConnectionString, string folder)
    {
        _realConnectionString = realConnectionString;
        var real = new NpgsqlConnectionStringBuilder(realConnectionString);
        Directory.CreateDirectory(folder);
        _socket = Path.Combine(folder, $".s.PGSQL.{real.Port}");
        _target = Path.Combine(real.Host!, $".s.PGSQL.{real.Port}");
        ConnectionString = new NpgsqlConnectionStringBuilder(realConnectionString) { Host = folder }.ToString();
        Restore();
    }

    /// <summary>Whether RAG_POSTGRES is a Unix-socket folder this process can link to.</summary>
    public static bool Possible => PostgresTestDatabase.SkipReason is null
        && new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(PostgresTestDatabase.Variable)).Host is { } host && Directory.Exists(host);

    /// <summary>The database through the link.</summary>
    public string ConnectionString { get; }

    /// <summary>Removes the link and ends every other backend of the database; returns how many were ended.</summary>
    public async Task<int> CutAsync()
    {
        Dispose();
        await using var connection = new NpgsqlConnection(_realConnectionString);
        await connection.OpenAsync();
        await using var end = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        return (int)(long)(await end.ExecuteScalarAsync())!;
    }

    public void Restore()
    {
        if (!_linked)
        {
            File.CreateSymbolicLink(_socket, _target);
            _linked = true;
        }
    }

    public void Dispose()
    {
        File.Delete(_socket);
        _linked = false;
    }
}
