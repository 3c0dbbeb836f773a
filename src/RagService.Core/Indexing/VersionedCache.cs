using System.Collections.Concurrent;

namespace RagService.Core.Indexing;

/// <summary>
/// Per-collection in-memory indexes stamped with the collection's version in the store. A search asks for the index at
/// the version it just read; an older entry catches up by the change log's delta when the caller gives a way to
/// (another process wrote), and is reloaded otherwise (once, however many searches ask). A write of this process
/// applies its delta when the entry is exactly one version behind; anything else drops the entry so the next search
/// reloads it.
/// </summary>
public sealed class VersionedCache<TIndex> : IDisposable
    where TIndex : class, IDisposable
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _loadLocks = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _localWrites = new();

    /// <summary>
    /// Marks a write of this process to the collection as in flight, from before its commit until its delta is applied
    /// (dispose the result). A search that reads the new version in between waits for the delta instead of rebuilding the
    /// whole index from SQLite: under a steady sync that window was hit often enough to rebuild the index again and again.
    /// </summary>
    public IDisposable LocalWrite(long collectionId)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _localWrites[collectionId] = done;
        return new LocalWriteScope(() =>
        {
            _localWrites.TryRemove(new KeyValuePair<long, TaskCompletionSource>(collectionId, done));
            done.TrySetResult();
        });
    }

    /// <param name="load">Reads the collection's index and the version it reflects from the store; a null index means "nothing to index".</param>
    /// <param name="catchUp">
    /// Brings a held index from the version it holds (the second argument) to the store's current one by the change log;
    /// the version reached, or null when the log cannot (the entry is then reloaded). Runs under the entry's lock, never
    /// beside <see cref="Apply"/>.
    /// </param>
    public async Task<TIndex?> GetAsync(long collectionId, long currentVersion, Func<(TIndex? Index, long Version)> load, CancellationToken ct,
        Func<TIndex, long, long?>? catchUp = null)
    {
        if (_entries.TryGetValue(collectionId, out var entry) && entry.Version >= currentVersion)
        {
            return entry.Index;
        }

        if (entry is not null && _localWrites.TryGetValue(collectionId, out var pending))
        {
            await pending.Task.WaitAsync(ct);
            if (_entries.TryGetValue(collectionId, out entry) && entry.Version >= currentVersion)
            {
                return entry.Index;
            }
        }

        var gate = _loadLocks.GetOrAdd(collectionId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (_entries.TryGetValue(collectionId, out entry) && entry.Version >= currentVersion)
            {
                return entry.Index;
            }

            if (entry is not null && catchUp is not null && await Task.Run(() => TryCatchUp(entry, catchUp), ct) >= currentVersion)
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

    /// <summary>The held index's version, or null when none is held.</summary>
    public long? HeldVersion(long collectionId) => _entries.TryGetValue(collectionId, out var entry) ? entry.Version : null;

    private static long TryCatchUp(Entry entry, Func<TIndex, long, long?> catchUp)
    {
        lock (entry)
        {
            if (catchUp(entry.Index, entry.Version) is { } reached && reached > entry.Version)
            {
                entry.Version = reached;
            }

            return entry.Version;
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
            if (entry.Version >= newVersion)
            {
                return; // the change log's follower got there first
            }

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

    private sealed class LocalWriteScope(Action end) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                end();
            }
        }
    }

    private sealed class Entry(TIndex index)
    {
        public TIndex Index { get; } = index;
        public long Version { get; set; }
    }
}
