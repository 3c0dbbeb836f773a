using Npgsql;

namespace RagService.Tests.Shared;

/// <summary>
/// A database of its own on the PostgreSQL server RAG_POSTGRES names (./test.sh starts a private one with
/// tests/postgres/start.sh; CI may use a service container), created for one test class and dropped after it.
/// Without RAG_POSTGRES there is none, and <see cref="SkipReason"/> says why.
/// </summary>
public sealed class PostgresTestDatabase : IDisposable
{
    public const string Variable = "RAG_POSTGRES";

    private readonly string? _admin;

    public PostgresTestDatabase()
    {
        _admin = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(_admin))
        {
            return;
        }

        Name = "rag_t_" + Guid.NewGuid().ToString("N")[..12];
        Execute($"CREATE DATABASE {Name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(_admin) { Database = Name }.ToString();
    }

    /// <summary>Why PostgreSQL cases cannot run here, or null.</summary>
    public static string? SkipReason => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable))
        ? $"no PostgreSQL server: {Variable} is not set (./test.sh starts a private one with tests/postgres/start.sh; set {Variable} to an Npgsql connection string to run these directly)"
        : null;

    public string? Name { get; }

    /// <summary>The connection string of this class's database; null when there is no server.</summary>
    public string? ConnectionString { get; }

    /// <summary>One more fresh database on the same server (dropped with this one).</summary>
    public string CreateAnother()
    {
        var name = Name + "_" + Guid.NewGuid().ToString("N")[..6];
        Execute($"CREATE DATABASE {name}");
        _others.Add(name);
        return new NpgsqlConnectionStringBuilder(_admin) { Database = name }.ToString();
    }

    private readonly List<string> _others = [];

    public void Dispose()
    {
        if (Name is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        foreach (var name in _others.Append(Name))
        {
            Execute($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(_admin);
        connection.Open();
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }
}
