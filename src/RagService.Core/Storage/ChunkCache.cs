namespace RagService.Core.Storage;

/// <summary>The "Rag:ChunkCache" section: how much memory the search hits' chunk cache (<see cref="ChunkCache"/>) may hold.</summary>
public sealed record ChunkCacheOptions
{
    public const string Section = "Rag:ChunkCache";

    /// <summary>Most bytes of chunks kept (estimated from their strings); 0 turns the cache off.</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Returns the options when usable; otherwise throws naming the setting to fix.</summary>
    public ChunkCacheOptions Validate()
    {
        if (MaxBytes is < 0 or > 64L * 1024 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException($"{Section}:MaxBytes", MaxBytes, $"{Section}:MaxBytes must be between 0 (off) and 68719476736 (64 GiB).");
        }

        return this;
    }
}

/// <summary>
/// The chunks search hits show (text, document id, title, ordinal, heading path, page, metadata, update time), kept in
/// memory by chunk id so a search reads the store only for hits it has not seen. Rules:
/// <list type="bullet">
/// <item>Correct without invalidation: a chunk id is never given twice (in either store), and nothing a
/// <see cref="StoredChunk"/> holds changes under the same id. A document's title, metadata and update time change only
/// by re-saving it, which deletes its chunks and inserts new ids; its access list, which can change alone, is not part
/// of a <see cref="StoredChunk"/>.</item>
/// <item>Only searches read through it (<see cref="GetChunksAsync"/>): their ids come from the indexes, which drop
/// deleted chunks, so an entry of a deleted chunk is never asked for again. Reads by id from elsewhere (the chunks
/// endpoint, neighbours, MCP) go to the store, which skips ids that no longer exist. This process's own writes add
/// their new chunks (<see cref="Add"/>) and remove the ones they deleted (<see cref="Remove"/>).</item>
/// <item>Bounded by <see cref="ChunkCacheOptions.MaxBytes"/>: the least recently used entries leave first; a chunk larger
/// than the whole bound is not kept. 0 keeps nothing, and every read goes to the store.</item>
/// <item>Thread-safe; <see cref="Hits"/> and <see cref="Misses"/> count the ids asked for.</item>
/// </list>
/// </summary>
public sealed class ChunkCache(ChunkCacheOptions options)
{
    private readonly object _gate = new();
    private readonly Dictionary<long, LinkedListNode<(StoredChunk Chunk, long Bytes)>> _entries = [];
    private readonly LinkedList<(StoredChunk Chunk, long Bytes)> _recency = new();
    private readonly long _maxBytes = options.Validate().MaxBytes;
    private long _bytes;
    private long _hits;
    private long _misses;

    public long MaxBytes => _maxBytes;

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

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

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Like <see cref="IKnowledgeReader.GetChunksAsync"/>: the chunks in the order given, ids the store no longer has skipped.</summary>
    public async Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IKnowledgeReader store, IReadOnlyList<long> chunkIds, CancellationToken ct)
    {
        if (_maxBytes == 0)
        {
            return await store.GetChunksAsync(chunkIds, ct);
        }

        var found = new Dictionary<long, StoredChunk>(chunkIds.Count);
        var missing = new List<long>();
        lock (_gate)
        {
            foreach (var id in chunkIds)
            {
                if (_entries.TryGetValue(id, out var node))
                {
                    _recency.Remove(node);
                    _recency.AddFirst(node);
                    found[id] = node.Value.Chunk;
                }
                else if (!found.ContainsKey(id))
                {
                    missing.Add(id);
                }
            }
        }

        Interlocked.Add(ref _hits, chunkIds.Count - missing.Count);
        Interlocked.Add(ref _misses, missing.Count);
        if (missing.Count > 0)
        {
            var read = await store.GetChunksAsync(missing.Distinct().ToList(), ct);
            Add(read);
            foreach (var chunk in read)
            {
                found[chunk.ChunkId] = chunk;
            }
        }

        return chunkIds.Where(found.ContainsKey).Select(id => found[id]).ToList();
    }

    /// <summary>The held chunks of <paramref name="chunkIds"/> by id (ids not held are left out), counted neither as hits nor as misses.</summary>
    public IReadOnlyDictionary<long, StoredChunk> Held(IReadOnlyCollection<long> chunkIds)
    {
        var held = new Dictionary<long, StoredChunk>(chunkIds.Count);
        lock (_gate)
        {
            foreach (var id in chunkIds)
            {
                if (_entries.TryGetValue(id, out var node))
                {
                    held[id] = node.Value.Chunk;
                }
            }
        }

        return held;
    }

    /// <summary>Keeps chunks as the store holds them (read from it, or just committed by this process).</summary>
    public void Add(IEnumerable<StoredChunk> chunks)
    {
        if (_maxBytes == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var chunk in chunks)
            {
                var bytes = SizeOf(chunk);
                if (bytes > _maxBytes || _entries.ContainsKey(chunk.ChunkId))
                {
                    continue;
                }

                _entries[chunk.ChunkId] = _recency.AddFirst((chunk, bytes));
                _bytes += bytes;
                while (_bytes > _maxBytes)
                {
                    RemoveNode(_recency.Last!);
                }
            }
        }
    }

    /// <summary>Forgets chunks this process deleted.</summary>
    public void Remove(IEnumerable<long> chunkIds)
    {
        lock (_gate)
        {
            foreach (var id in chunkIds)
            {
                if (_entries.TryGetValue(id, out var node))
                {
                    RemoveNode(node);
                }
            }
        }
    }

    private void RemoveNode(LinkedListNode<(StoredChunk Chunk, long Bytes)> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Chunk.ChunkId);
        _bytes -= node.Value.Bytes;
    }

    /// <summary>UTF-16 string bytes plus a fixed allowance per object (the record, the list, each dictionary entry and node).</summary>
    internal static long SizeOf(StoredChunk chunk)
    {
        const int PerObject = 48;
        long chars = chunk.Text.Length + chunk.DocumentId.Length + (chunk.DocumentTitle?.Length ?? 0);
        foreach (var heading in chunk.HeadingPath)
        {
            chars += heading.Length;
        }

        foreach (var (key, value) in chunk.Metadata)
        {
            chars += key.Length + value.Length;
        }

        return 2 * chars + PerObject * (6 + chunk.HeadingPath.Count + 2 * chunk.Metadata.Count);
    }
}
