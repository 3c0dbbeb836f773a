using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// The one pooled connection source every PostgreSQL store port shares, and whether the database is usable: the schema
/// is brought up to date at the first successful connection (<see cref="PostgresSchema"/>); until then the store is
/// unready with the reason, and each use tries again, so the service recovers without a restart.
/// </summary>
public sealed class PostgresDatabase : IDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly PostgresStoreOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;
    private volatile string? _fault;

    public PostgresDatabase(PostgresStoreOptions options)
        : this(options, NullLogger.Instance)
    {
    }

    public PostgresDatabase(PostgresStoreOptions options, ILogger logger)
    {
        _options = options.Validate();
        _logger = logger;
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            Pooling = true,
            MaxPoolSize = options.MaxPoolSize,
            CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds),
            Timeout = (int)Math.Ceiling(options.ConnectTimeout.TotalSeconds),
            // The same few statements run for every search and write: prepared once per connection, only bound after that.
            MaxAutoPrepare = AutoPreparedStatements,
            AutoPrepareMinUsages = 2,
        };
        _source = NpgsqlDataSource.Create(builder);
        Location = $"{builder.Host}:{builder.Port}/{builder.Database}";
        Faults = new PostgresFaults(Location, _source.Clear);
        Versions = new PostgresVersionCache(builder, TimeSpan.FromMilliseconds(500), logger);
        TryEnsureSchema();
    }

    /// <summary>How many distinct statements each connection keeps prepared (Npgsql auto-prepare); ours are a few dozen.</summary>
    private const int AutoPreparedStatements = 64;

    /// <summary>Host, port and database, never the password; for logs and messages.</summary>
    public string Location { get; }

    public PostgresFaults Faults { get; }

    /// <summary>Collection versions kept current by notifications, so searches need not read them each time.</summary>
    internal PostgresVersionCache Versions { get; }

    /// <summary>Why the database cannot be used (found at the last attempt), or null.</summary>
    public string? Fault => _fault;

    /// <summary>An open connection with the schema in place; throws <see cref="StorageUnavailableException"/> naming the store when there is none.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        try
        {
            if (!_schemaReady)
            {
                await EnsureSchemaAsync(ct);
            }

            return await OpenWithRetryAsync(ct);
        }
        catch (Exception e) when (Faults.Translate(e) is { } unavailable)
        {
            _fault = unavailable.Message;
            throw unavailable;
        }
    }

    /// <summary>The same, for the synchronous readers (index snapshots).</summary>
    public NpgsqlConnection Open() => Task.Run(() => OpenAsync(CancellationToken.None)).GetAwaiter().GetResult();

    /// <summary>Reads one row, for readiness: "store" on with where it is, or failed with why.</summary>
    public async Task<ComponentStatus> CheckAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM collections", connection);
            await cmd.ExecuteScalarAsync(ct);
            _fault = null;
            return ComponentStatus.On("store", $"postgres {Location}");
        }
        catch (StorageUnavailableException e)
        {
            return ComponentStatus.Failed("store", e.Message);
        }
    }

    /// <summary>Runs one query on a pooled connection and maps its rows; parameters are positional ($1, $2, ...).</summary>
    public Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object?[] parameters, Func<NpgsqlDataReader, T> map, CancellationToken ct) =>
        InTransactionAsync(async (connection, tx) =>
        {
            await using var cmd = Command(connection, tx, sql, parameters);
            var rows = new List<T>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(map(reader));
            }

            return (IReadOnlyList<T>)rows;
        }, ct, transaction: false);

    /// <summary>The first row mapped, or the default when there is none.</summary>
    public async Task<T?> QueryFirstAsync<T>(string sql, object?[] parameters, Func<NpgsqlDataReader, T> map, CancellationToken ct)
    {
        var rows = await QueryAsync(sql, parameters, map, ct);
        return rows.Count == 0 ? default : rows[0];
    }

    /// <summary>Runs one statement on a pooled connection; the number of rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, object?[] parameters, CancellationToken ct) =>
        InTransactionAsync(async (connection, tx) =>
        {
            await using var cmd = Command(connection, tx, sql, parameters);
            return await cmd.ExecuteNonQueryAsync(ct);
        }, ct, transaction: false);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction (committed when it returns, rolled back when it throws); faults
    /// of the database come back as <see cref="StorageUnavailableException"/> naming the store.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> work, CancellationToken ct, bool transaction = true)
    {
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var tx = transaction ? await connection.BeginTransactionAsync(ct) : null;
            var result = await work(connection, tx);
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
            }

            return result;
        }
        catch (Exception e) when (e is not StorageUnavailableException && Faults.Translate(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    /// <summary>A command with positional parameters ($1, $2, ...); null stands for SQL NULL.</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params object?[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, connection, tx);
        foreach (var value in parameters)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return cmd;
    }

    public void Dispose()
    {
        Versions.Dispose();
        _source.Dispose();
        _schemaGate.Dispose();
    }

    private void TryEnsureSchema()
    {
        try
        {
            // On the thread pool: a caller's synchronization context must not be needed to finish (it may be the one blocked here).
            Task.Run(() => EnsureSchemaAsync(CancellationToken.None)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (Faults.Translate(e) is { } unavailable)
        {
            _fault = unavailable.Message;
            _logger.StoreUnavailableAtStart(unavailable.Message);
        }
    }

    private async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await _schemaGate.WaitAsync(ct);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            await using var connection = await OpenWithRetryAsync(ct);
            await PostgresSchema.MigrateAsync(connection, ct);
            _schemaReady = true;
            _fault = null;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    private async Task<NpgsqlConnection> OpenWithRetryAsync(CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await _source.OpenConnectionAsync(ct);
            }
            catch (Exception e) when (attempt < _options.RetryCount && PostgresFaults.IsUnreachable(e))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 << attempt), ct);
            }
        }
    }
}
