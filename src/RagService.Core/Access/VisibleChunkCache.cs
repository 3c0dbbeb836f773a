using RagService.Core.Indexing;
using RagService.Core.Storage;

namespace RagService.Core.Access;

/// <summary>
/// The chunks a caller's access scope may read, resolved by the store once per (collection, collection version, scope)
/// and reused by every engine until the collection's version moves. Every committed write bumps the version, an
/// access change (<c>PUT .../access</c>) included, from any process, so a held set is never used after the data it
/// was resolved from changed. Filters with conditions besides the scope go to the store on every search. Bounded by
/// <see cref="VisibleChunkCacheOptions"/>: least recently used sets go first, older versions of a collection as soon
/// as a newer one is cached, and a set larger than the whole budget is not kept.
/// </summary>
public sealed class VisibleChunkCache
{
    private readonly IIndexSource _source;
    private readonly VisibleChunkCacheOptions _options;
    private readonly object _gate = new();
    private readonly Dictionary<Key, LinkedListNode<(Key Key, ChunkIdSet Set)>> _entries = [];
    private readonly LinkedList<(Key Key, ChunkIdSet Set)> _recent = new();
    private long _bytes;

    public VisibleChunkCache(IIndexSource source, VisibleChunkCacheOptions? options = null)
    {
        _options = options ?? new VisibleChunkCacheOptions();
        _options.Validate();
        _source = source;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The chunk ids that pass <paramref name="filter"/>, null when it is empty.</summary>
    public async Task<IReadOnlySet<long>?> ChunksMatchingAsync(CollectionInfo collection, SearchFilter filter, CancellationToken ct)
    {
        if (filter.IsEmpty)
        {
            return null;
        }

        if (filter.Access is not { } scope || !(filter with { Access = null }).IsEmpty || _options.MaxEntries == 0)
        {
            return await _source.ChunksMatchingAsync(collection, filter, ct);
        }

        // Read before resolving, so a set is never older than the version it is filed under.
        var version = await _source.ReadCommittedVersionAsync(collection.Id, ct);
        var key = new Key(collection.Id, collection.CreatedAt.UtcTicks, version, collection.Settings.UnlistedAccess, scope);
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var held))
            {
                _recent.Remove(held);
                _recent.AddFirst(held);
                return held.Value.Set;
            }
        }

        var resolved = ChunkIdSet.From(await _source.ChunksMatchingAsync(collection, filter, ct) ?? ChunkIdSet.Empty);
        Keep(key, resolved);
        return resolved;
    }

    private void Keep(Key key, ChunkIdSet set)
    {
        var budget = (long)_options.MaxMegabytes * 1024 * 1024;
        if (set.Bytes > budget)
        {
            return;
        }

        lock (_gate)
        {
            if (_entries.ContainsKey(key))
            {
                return;
            }

            foreach (var older in _recent.Where(e => e.Key.IsOlderVersionOf(key)).ToList())
            {
                Forget(older.Key);
            }

            _entries[key] = _recent.AddFirst((key, set));
            _bytes += set.Bytes;
            while (_entries.Count > _options.MaxEntries || _bytes > budget)
            {
                Forget(_recent.Last!.Value.Key);
            }
        }
    }

    private void Forget(Key key)
    {
        if (_entries.Remove(key, out var node))
        {
            _recent.Remove(node);
            _bytes -= node.Value.Set.Bytes;
        }
    }

    private sealed record Key(long CollectionId, long CollectionCreatedTicks, long Version, UnlistedAccess Unlisted, AccessScope Scope)
    {
        public bool IsOlderVersionOf(Key newer) =>
            CollectionId == newer.CollectionId && CollectionCreatedTicks == newer.CollectionCreatedTicks && Version < newer.Version;
    }
}
