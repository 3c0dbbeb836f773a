using System.Globalization;
using Microsoft.Data.Sqlite;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;

namespace RagService.Storage.Sqlite;

/// <summary>
/// The change log in the SQLite file. A second process on the same file learns of writes by polling (SQLite has no
/// signals); each delta is read in one deferred read transaction, so it is the collection at one version.
/// </summary>
public sealed class SqliteChangeFeed(SqliteStoreOptions options) : IChangeFeed
{
    private readonly SqliteConnectionFactory _connections = SqliteConnectionFactory.WithSchema(options);

    public string Signal => "polling (SQLite)";

    public ChangeRead ReadSince(long collectionId, long fromVersion) => SqliteFaults.Translate(() =>
    {
        using var connection = _connections.Open();
        using var tx = connection.BeginTransaction(deferred: true);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.Parameters.AddWithValue("$c", collectionId);
        cmd.Parameters.AddWithValue("$from", fromVersion);
        cmd.CommandText = "SELECT version FROM collections WHERE id = $c";
        if (cmd.ExecuteScalar() is not long toVersion)
        {
            return ChangeRead.Missing($"collection {collectionId} no longer exists");
        }

        if (toVersion <= fromVersion)
        {
            return ChangeRead.Of(new ChangeDelta(fromVersion, fromVersion, [], []));
        }

        cmd.Parameters.AddWithValue("$to", toVersion);
        cmd.CommandText = "SELECT version, removed, added, access_changed FROM change_log WHERE collection_id = $c AND version > $from AND version <= $to ORDER BY version";
        var entries = new List<(long Version, string Removed, string Added, string AccessChanged)>();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                entries.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }

        if (ChangeLogGap.Find(fromVersion, toVersion, entries.Select(e => e.Version).ToList()) is { } gap)
        {
            return ChangeRead.Missing(gap);
        }

        var removed = entries.SelectMany(e => SplitIds(e.Removed)).Distinct().ToList();
        var added = entries.SelectMany(e => SplitIds(e.Added)).ToHashSet();
        var accessChanged = entries.SelectMany(e => SplitIds(e.AccessChanged)).Where(id => !added.Contains(id)).ToHashSet();
        cmd.CommandText = $"""
            SELECT t.body, t.header, v.vector, d.access, {SqliteKnowledgeRows.ChunkColumns} FROM chunks ch JOIN chunk_terms t ON t.chunk_id = ch.id
            JOIN documents d ON d.id = ch.document_id
            LEFT JOIN chunk_vectors v ON v.chunk_id = ch.id WHERE ch.id IN (SELECT value FROM json_each($ids)) ORDER BY ch.id
            """;
        cmd.Parameters.AddWithValue("$ids", "[" + string.Join(',', added.Concat(accessChanged)) + "]");
        var live = new List<IndexEntry>();
        var liveAccessChanged = new List<IndexEntry>();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                var record = SqliteKnowledgeRows.ReadChunk(reader, 4);
                var entry = new IndexEntry(record.ChunkId, record.Text, ChunkTerms.Split(reader.GetString(0)), ChunkTerms.Split(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : VectorBlob.FromBytes((byte[])reader.GetValue(2))) { Access = SqliteKnowledgeRows.ReadAccess(reader, 3), Record = record };
                (accessChanged.Contains(entry.ChunkId) ? liveAccessChanged : live).Add(entry);
            }
        }

        return ChangeRead.Of(new ChangeDelta(fromVersion, toVersion, removed, live) { AccessChanged = liveAccessChanged });
    });

    public Task<IReadOnlyDictionary<long, long>> GetVersionsAsync(CancellationToken ct) => SqliteFaults.TranslateAsync<IReadOnlyDictionary<long, long>>(async () =>
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id, version FROM collections";
        var versions = new Dictionary<long, long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            versions[reader.GetInt64(0)] = reader.GetInt64(1);
        }

        return versions;
    });

    public Task<int> TrimAsync(long keepVersions, CancellationToken ct) => SqliteFaults.TranslateAsync(async () =>
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "DELETE FROM change_log WHERE version <= (SELECT c.version FROM collections c WHERE c.id = change_log.collection_id) - $keep";
        cmd.Parameters.AddWithValue("$keep", keepVersions);
        return await cmd.ExecuteNonQueryAsync(ct);
    });

    public Task WaitForChangeAsync(TimeSpan timeout, CancellationToken ct) => Task.Delay(timeout, ct);

    internal static string JoinIds(IReadOnlyList<long> ids) => string.Join(' ', ids.Select(id => id.ToString(CultureInfo.InvariantCulture)));

    private static IEnumerable<long> SplitIds(string ids) =>
        ids.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(id => long.Parse(id, CultureInfo.InvariantCulture));
}
