using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using RagService.Core.Lexical;

namespace RagService.Storage.Sqlite;

/// <summary>
/// Keeps one in-memory <see cref="LexicalIndex"/> per collection, built from the terms stored in SQLite and stamped with
/// the collection's version. Writes made by this process are applied as deltas; a version this process did not write
/// (another process, or a failed delta) makes the next search rebuild the index from SQLite.
/// </summary>
internal sealed class LexicalIndexCache(SqliteConnectionFactory connections) : IDisposable
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _loadLocks = new();

    public async Task<LexicalIndex> GetAsync(long collectionId, long currentVersion, CancellationToken ct)
    {
        if (_entries.TryGetValue(collectionId, out var entry) && entry.Version >= currentVersion)
        {
            return entry.Index;
        }

        var gate = _loadLocks.GetOrAdd(collectionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (_entries.TryGetValue(collectionId, out entry) && entry.Version >= currentVersion)
            {
                return entry.Index;
            }

            var loaded = Load(collectionId);
            if (_entries.TryRemove(collectionId, out var old))
            {
                old.Index.Dispose();
            }

            _entries[collectionId] = loaded;
            return loaded.Index;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Applies a committed write if the cached index is exactly one version behind; otherwise drops it.</summary>
    public void Apply(long collectionId, long newVersion, IEnumerable<long> removed, IEnumerable<(long Id, string Body, string Header)> added)
    {
        if (!_entries.TryGetValue(collectionId, out var entry))
        {
            return;
        }

        lock (entry)
        {
            if (entry.Version != newVersion - 1)
            {
                Invalidate(collectionId);
                return;
            }

            foreach (var id in removed)
            {
                entry.Index.Remove(id);
            }

            foreach (var (id, body, header) in added)
            {
                entry.Index.Add(id, Split(body), Split(header));
            }

            entry.Version = newVersion;
        }
    }

    public void Invalidate(long collectionId)
    {
        if (_entries.TryRemove(collectionId, out var entry))
        {
            entry.Index.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var id in _entries.Keys)
        {
            Invalidate(id);
        }
    }

    private Entry Load(long collectionId)
    {
        using var connection = connections.Open();
        using var tx = connection.BeginTransaction(deferred: true);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT version FROM collections WHERE id = $c";
        cmd.Parameters.AddWithValue("$c", collectionId);
        var version = Convert.ToInt64(cmd.ExecuteScalar() ?? 0L);
        cmd.CommandText = $"SELECT rowid, body, header FROM {SqliteSchema.FtsTable(collectionId)} ORDER BY rowid";
        var index = new LexicalIndex();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                index.Add(reader.GetInt64(0), Split(reader.GetString(1)), Split(reader.GetString(2)));
            }
        }

        tx.Commit();
        return new Entry(index) { Version = version };
    }

    private static string[] Split(string terms) => terms.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private sealed class Entry(LexicalIndex index)
    {
        public LexicalIndex Index { get; } = index;
        public long Version { get; set; }
    }
}
