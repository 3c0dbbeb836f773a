using Npgsql;
using RagService.Storage.Postgres;
using RagService.Tests.Shared;

namespace RagService.Storage.Conformance.Tests;

/// <summary>Replicas that start together on an empty database migrate it once, and none of them fails.</summary>
public sealed class PostgresMigrationTests : IDisposable
{
    private readonly PostgresTestDatabase _database = new();

    [SkippableFact]
    public async Task Replicas_starting_together_migrate_once()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        using var start = new Barrier(6);
        var replicas = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _database.ConnectionString, MaxPoolSize = 2 });
        })));

        Assert.All(replicas, r => Assert.Null(r.Fault));
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*), max(version) FROM schema_migrations", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((7L, 7), (reader.GetInt64(0), reader.GetInt32(1))); // every migration (the schema, job item warnings, access lists, the change log, leased jobs, access-only changes in the log, typed metadata values), each applied once
        foreach (var replica in replicas)
        {
            replica.Dispose();
        }
    }

    public void Dispose() => _database.Dispose();
}
