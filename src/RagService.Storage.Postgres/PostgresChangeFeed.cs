using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;

namespace RagService.Storage.Postgres;

/// <summary>
/// The change log in PostgreSQL, shared by every replica. Writes signal 'rag_changes' at commit (a trigger of schema
/// migration 3); <see cref="WaitForChangeAsync"/> LISTENs on one connection of its own and falls back to waiting out
/// the poll interval while that connection cannot be had. Each delta is read in one repeatable-read transaction.
/// </summary>
public sealed class PostgresChangeFeed(PostgresDatabase database, ILogger logger) : IChangeFeed, IAsyncDisposable
{
    public PostgresChangeFeed(PostgresDatabase database)
        : this(database, NullLogger.Instance)
    {
    }

    private const string Channel = "rag_changes";

    private NpgsqlConnection? _listener;
    private volatile string _signal = "LISTEN " + Channel + " (not started)";

    public string Signal => _signal;

    public ChangeRead ReadSince(long collectionId, long fromVersion)
    {
        using var connection = database.Open();
        try
        {
            using var tx = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
            using var cmd = PostgresDatabase.Command(connection, tx, "SELECT version FROM collections WHERE id = $1", collectionId);
            if (cmd.ExecuteScalar() is not long toVersion)
            {
                return ChangeRead.Missing($"collection {collectionId} no longer exists");
            }

            if (toVersion <= fromVersion)
            {
                return ChangeRead.Of(new ChangeDelta(fromVersion, fromVersion, [], []));
            }

            var versions = new List<long>();
            var removed = new HashSet<long>();
            var added = new HashSet<long>();
            var accessChanged = new HashSet<long>();
            using (var log = PostgresDatabase.Command(connection, tx,
                "SELECT version, removed, added, access_changed FROM change_log WHERE collection_id = $1 AND version > $2 AND version <= $3 ORDER BY version",
                collectionId, fromVersion, toVersion))
            using (var reader = log.ExecuteReader())
            {
                while (reader.Read())
                {
                    versions.Add(reader.GetInt64(0));
                    removed.UnionWith(reader.GetFieldValue<long[]>(1));
                    added.UnionWith(reader.GetFieldValue<long[]>(2));
                    accessChanged.UnionWith(reader.GetFieldValue<long[]>(3));
                }
            }

            if (ChangeLogGap.Find(fromVersion, toVersion, versions) is { } gap)
            {
                return ChangeRead.Missing(gap);
            }

            accessChanged.ExceptWith(added);
            var live = new List<IndexEntry>();
            var liveAccessChanged = new List<IndexEntry>();
            using (var chunks = PostgresDatabase.Command(connection, tx, $"""
                SELECT ch.body_terms, ch.header_terms, ch.vector, d.access, {PostgresKnowledgeRows.ChunkColumns} FROM chunks ch JOIN documents d ON d.id = ch.document_id
                WHERE ch.id = ANY($1) ORDER BY ch.id
                """, added.Concat(accessChanged).ToArray()))
            using (var reader = chunks.ExecuteReader())
            {
                while (reader.Read())
                {
                    var record = PostgresKnowledgeRows.ReadChunk(reader, 4);
                    var entry = new IndexEntry(record.ChunkId, record.Text, reader.GetFieldValue<string[]>(0), reader.GetFieldValue<string[]>(1),
                        reader.IsDBNull(2) ? null : reader.GetFieldValue<float[]>(2)) { Access = reader.IsDBNull(3) ? null : reader.GetFieldValue<string[]>(3), Record = record };
                    (accessChanged.Contains(entry.ChunkId) ? liveAccessChanged : live).Add(entry);
                }
            }

            return ChangeRead.Of(new ChangeDelta(fromVersion, toVersion, removed.ToList(), live) { AccessChanged = liveAccessChanged });
        }
        catch (Exception e) when (e is not Core.Storage.StorageUnavailableException && database.Faults.Translate(e) is { } unavailable)
        {
            throw unavailable;
        }
    }

    public async Task<IReadOnlyDictionary<long, long>> GetVersionsAsync(CancellationToken ct)
    {
        var rows = await database.QueryAsync("SELECT id, version FROM collections", [], r => (Id: r.GetInt64(0), Version: r.GetInt64(1)), ct);
        return rows.ToDictionary(r => r.Id, r => r.Version);
    }

    public Task<int> TrimAsync(long keepVersions, CancellationToken ct) =>
        database.ExecuteAsync("DELETE FROM change_log l USING collections c WHERE c.id = l.collection_id AND l.version <= c.version - $1", [keepVersions], ct);

    public async Task WaitForChangeAsync(TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            if (_listener is null)
            {
                _listener = await database.OpenAsync(ct);
                await using var listen = new NpgsqlCommand("LISTEN " + Channel, _listener);
                await listen.ExecuteNonQueryAsync(ct);
                _signal = "LISTEN " + Channel;
            }

            await _listener.WaitAsync(timeout, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _signal = $"polling (LISTEN {Channel} failed: {e.Message})";
            logger.ChangeNotificationsUnavailable(e.Message);
            await DropListenerAsync();
            await Task.Delay(timeout, ct);
        }
    }

    public ValueTask DisposeAsync() => DropListenerAsync();

    private async ValueTask DropListenerAsync()
    {
        if (Interlocked.Exchange(ref _listener, null) is { } listener)
        {
            await listener.DisposeAsync();
        }
    }
}
