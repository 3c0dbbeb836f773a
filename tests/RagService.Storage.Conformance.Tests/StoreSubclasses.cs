using Microsoft.Extensions.Logging.Abstractions;
using System.Globalization;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using RagService.Core.Indexing;
using RagService.Core.Jobs;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Security;
using RagService.Core.Storage;
using RagService.Storage.Postgres;
using RagService.Storage.Sqlite;
using RagService.Tests.Shared;

namespace RagService.Storage.Conformance.Tests;

/// <summary>The conformance suite over a SQLite file in a temporary folder (always runs).</summary>
public sealed class SqliteStoreConformanceTests : StoreConformance
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ragsvc-storeconf-").FullName;
    private readonly RagService.Core.Cluster.InProcessClusterLock _clusterLock = new();

    private SqliteStoreOptions Options => new() { DatabasePath = Path.Combine(_dir, "kb.db") };

    protected override string? SkipReason => null;

    protected override KnowledgeStore OpenStore(params ISearchIndex[] indexes) => new SqliteKnowledgeStore(Options, indexes);

    protected override KnowledgeStore OpenCachedStore(ChunkCache chunks) => new SqliteKnowledgeStore(Options, null, NullLogger.Instance, chunks);

    protected override IIndexSource OpenSource() => new SqliteIndexSource(Options);

    protected override IJobStore OpenJobs() => new SqliteJobStore(Options);

    protected override IApiKeyStore OpenKeys() => new SqliteApiKeyStore(Options);

    protected override IFusionCalibrationStore OpenCalibrations() => new SqliteFusionCalibrationStore(Options);

    /// <summary>One process serves a SQLite store, so every "replica" of this suite shares the process's lock.</summary>
    protected override RagService.Core.Cluster.IClusterLock OpenClusterLock() => _clusterLock;

    protected override async Task<IReadOnlyList<string[]>> RowsAsync(string table)
    {
        await using var connection = new SqliteConnection($"Data Source={Options.DatabasePath}");
        await connection.OpenAsync();
        await using var cmd = new SqliteCommand($"SELECT * FROM {table}", connection);
        return await StoreRows.ReadAsync(cmd);
    }

    public override void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
        base.Dispose();
    }
}

/// <summary>The conformance suite over PostgreSQL: a database of its own on the server RAG_POSTGRES names; skipped with the reason without one.</summary>
public sealed class PostgresStoreConformanceTests : StoreConformance
{
    private readonly PostgresTestDatabase _database = new();
    private readonly List<PostgresDatabase> _opened = [];

    protected override string? SkipReason => PostgresTestDatabase.SkipReason;

    protected override KnowledgeStore OpenStore(params ISearchIndex[] indexes) => new PostgresKnowledgeStore(Open(), indexes);

    protected override KnowledgeStore OpenCachedStore(ChunkCache chunks) => new PostgresKnowledgeStore(Open(), null, NullLogger.Instance, chunks);

    protected override IIndexSource OpenSource() => new PostgresIndexSource(Open());

    protected override IJobStore OpenJobs() => new PostgresJobStore(Open());

    protected override IApiKeyStore OpenKeys() => new PostgresApiKeyStore(Open());

    protected override IFusionCalibrationStore OpenCalibrations() => new PostgresFusionCalibrationStore(Open());

    protected override RagService.Core.Cluster.IClusterLock OpenClusterLock() => new PostgresClusterLock(Open());

    [SkippableFact]
    public async Task A_cluster_lock_whose_holder_dies_is_free_again()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var held = await OpenClusterLock().TryAcquireAsync("jobs-cleanup", default);
        Assert.NotNull(held);
        var other = OpenClusterLock();
        Assert.Null(await other.TryAcquireAsync("jobs-cleanup", default));

        // The holder's session ends as a killed replica's does: its backend goes away (waited for, up to a minute).
        await using (var admin = new NpgsqlConnection(_database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid, 60000)) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", admin);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        await using var taken = await other.TryAcquireAsync("jobs-cleanup", default);
        Assert.NotNull(taken);
        await held!.DisposeAsync(); // releasing through a dead connection is harmless
    }

    protected override async Task<IReadOnlyList<string[]>> RowsAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT * FROM {table}", connection);
        return await StoreRows.ReadAsync(cmd);
    }

    /// <summary>Polls pg_stat_activity until a backend of this database waits on a lock.</summary>
    protected override async Task WaitForALockWaitAsync()
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'", connection);
        while ((long)(await cmd.ExecuteScalarAsync())! == 0)
        {
            await Task.Delay(10);
        }
    }

    public override void Dispose()
    {
        _opened.ForEach(d => d.Dispose());
        _database.Dispose();
        base.Dispose();
    }

    private PostgresDatabase Open()
    {
        var database = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _database.ConnectionString, MaxPoolSize = 10 });
        _opened.Add(database);
        return database;
    }
}

/// <summary>Reads rows past the ports, every value as invariant text: byte arrays as hex, arrays comma-joined.</summary>
internal static class StoreRows
{
    public static async Task<IReadOnlyList<string[]>> ReadAsync(DbCommand cmd)
    {
        var rows = new List<string[]>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Text(reader.GetValue(i))).ToArray());
        }

        return rows;
    }

    private static string Text(object value) => value switch
    {
        DBNull => "",
        byte[] bytes => Convert.ToHexString(bytes),
        string s => s,
        System.Collections.IEnumerable items => string.Join(",", items.Cast<object>().Select(Text)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
