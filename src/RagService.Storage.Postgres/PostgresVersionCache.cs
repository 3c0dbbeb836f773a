using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// Collections (by name) and their versions as this process last learned them, so a search does not ask the database
/// for its collection and that collection's version each time. A collection row never changes but for its version and
/// its deletion. It is trusted only while a dedicated connection LISTENs on <see cref="Channel"/>: every version
/// bump and collection delete, by any replica, sends a notification there when it commits (<see cref="NotifySql"/>),
/// and this process's own commits are recorded directly. Before the listener is up, and from the moment it is lost
/// until it is back (all remembered versions and collections forgotten then), every lookup reads the database as
/// before. Another replica's write or delete is seen once its notification arrives, a moment after that replica's commit.
/// </summary>
internal sealed class PostgresVersionCache : IDisposable
{
    public const string Channel = "rag_collection_versions";

    private readonly NpgsqlDataSource _listenSource;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, long> _versions = new();
    private readonly ConcurrentDictionary<string, CollectionInfo> _collections = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _retryPause;
    private int _started;
    private long _generation;
    private volatile bool _listening;

    public PostgresVersionCache(NpgsqlConnectionStringBuilder connection, TimeSpan retryPause, ILogger logger)
    {
        // Its own unpooled connection, with keepalives so that a silently lost server is noticed.
        var listen = new NpgsqlConnectionStringBuilder(connection.ConnectionString) { Pooling = false, KeepAlive = 5 };
        _listenSource = NpgsqlDataSource.Create(listen);
        _retryPause = retryPause;
        _logger = logger;
    }

    /// <summary>Whether remembered versions are trusted now (the listener is up).</summary>
    public bool IsListening => _listening;

    /// <summary>Grows each time the listener is lost or (re)established; versions read before a change are not remembered.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>SQL, run in a writing transaction, that tells every listener the collection's version (-1: deleted) at commit.</summary>
    public static string NotifySql(string idExpression, string versionExpression) =>
        $"pg_notify('{Channel}', {idExpression}::text || ':' || {versionExpression}::text)";

    /// <summary>The remembered version while listening; otherwise false (read the database). The first call starts the listener.</summary>
    public bool TryGet(long collectionId, out long version, out long generation)
    {
        generation = StartListening();
        version = 0;
        return _listening && _versions.TryGetValue(collectionId, out version);
    }

    /// <summary>The remembered collection of that name while listening; otherwise false (read the database).</summary>
    public bool TryGetCollection(string name, out CollectionInfo? collection, out long generation)
    {
        generation = StartListening();
        collection = null;
        return _listening && _collections.TryGetValue(name, out collection);
    }

    /// <summary>Remembers a collection read from the database, unless the listener was lost or restarted since <paramref name="generation"/>.</summary>
    public void RememberCollection(CollectionInfo collection, long generation)
    {
        if (_listening && Interlocked.Read(ref _generation) == generation)
        {
            _collections[collection.Name] = collection;
        }
    }

    /// <summary>Remembers a version read from the database, unless the listener was lost or restarted since <paramref name="generation"/>.</summary>
    public void Remember(long collectionId, long version, long generation)
    {
        if (_listening && Interlocked.Read(ref _generation) == generation)
        {
            Observe(collectionId, version);
        }
    }

    /// <summary>A version known to be committed (this process's own write, or a notification); versions only grow.</summary>
    public void Observe(long collectionId, long version)
    {
        if (version < 0)
        {
            _versions.TryRemove(collectionId, out _);
            foreach (var gone in _collections.Where(c => c.Value.Id == collectionId))
            {
                _collections.TryRemove(gone);
            }

            return;
        }

        _versions.AddOrUpdate(collectionId, version, (_, old) => Math.Max(old, version));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listenSource.Dispose();
    }

    /// <summary>Starts the listener at the first lookup; the current generation.</summary>
    private long StartListening()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = Task.Run(ListenAsync);
        }

        return Interlocked.Read(ref _generation);
    }

    private async Task ListenAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _listenSource.OpenConnectionAsync(_stop.Token);
                connection.Notification += (_, e) => OnNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stop.Token);
                }

                Forget();
                _listening = true;
                while (true)
                {
                    await connection.WaitAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException or ObjectDisposedException)
            {
                Forget();
                _logger.VersionNotificationsLost(e.Message);
            }

            try
            {
                await Task.Delay(_retryPause, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Forget()
    {
        _listening = false;
        Interlocked.Increment(ref _generation);
        _versions.Clear();
        _collections.Clear();
    }

    private void OnNotification(string payload)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0
            && long.TryParse(payload.AsSpan(0, colon), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
            && long.TryParse(payload.AsSpan(colon + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var version))
        {
            Observe(id, version);
        }
    }
}
