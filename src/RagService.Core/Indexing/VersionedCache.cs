using System.Collections.Concurrent;

namespace RagService.Core.Indexing;

/// <summary>
/// Per-collection in-memory indexes stamped with the collection's version in SQLite. A search asks for the index at the
/// version it just read; an older entry is reloaded (once, however many searches ask). A write of this process applies
/// its delta when the entry is exactly one version behind; anything else drops the entry so the next search reloads it.
/// </summary>
public sealed class VersionedCache<TIndex> : IDisposable
    where TIndex : class, IDisposable
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _loadLocks = new();

    /// <param name="load">Reads the collection's index and the version it reflects from SQLite; a null index means "nothing to index".</param>
    public async Task<TIndex?> GetAsync(long collectionId, long currentVersion, Func<(TIndex? Index, long Version)> load, CancellationToken ct)
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

            Invalidate(collectionId);
            var (index, version) = await Task.Run(load, ct);
            if (index is not null)
            {
                _entries[collectionId] = new Entry(index) { Version = version };
            }

            return index;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Applies a committed write made at <paramref name="newVersion"/>; <paramref name="apply"/> returns false when it cannot.</summary>
    public void Apply(long collectionId, long newVersion, Func<TIndex, bool> apply)
    {
        if (!_entries.TryGetValue(collectionId, out var entry))
        {
            return;
        }

        lock (entry)
        {
            if (entry.Version == newVersion - 1 && apply(entry.Index))
            {
                entry.Version = newVersion;
                return;
            }
        }

        Invalidate(collectionId);
    }

    /// <summary>The cached index and its version, without loading anything.</summary>
    public (TIndex? Index, long Version) Peek(long collectionId) =>
        _entries.TryGetValue(collectionId, out var entry) ? (entry.Index, entry.Version) : (null, 0);

    /// <summary>
    /// Forgets the collection's index. It is not disposed: a search or a write that fetched it a moment ago may still be
    /// using it, and both index kinds hold only managed memory, so the GC frees it once the last user is done.
    /// </summary>
    public void Invalidate(long collectionId) => _entries.TryRemove(collectionId, out _);

    /// <summary>At shutdown: hands every cached index with its version to <paramref name="save"/>, then disposes it.</summary>
    public void DrainTo(Action<long, TIndex, long> save)
    {
        foreach (var id in _entries.Keys)
        {
            if (_entries.TryRemove(id, out var entry))
            {
                save(id, entry.Index, entry.Version);
                entry.Index.Dispose();
            }
        }
    }

    public void Dispose() => DrainTo((_, _, _) => { });

    private sealed class Entry(TIndex index)
    {
        public TIndex Index { get; } = index;
        public long Version { get; set; }
    }
}
