namespace RagService.Core.Storage;

/// <summary>
/// Where a search reads its hits' chunks and their positions. Rules:
/// <list type="bullet">
/// <item>Normally from the store, through the <see cref="ChunkCache"/> when the host has one.</item>
/// <item>Inside a <see cref="LocalStateScope"/> with the store unreachable, from what this replica holds: the chunk cache
/// first, then its local copy of the records (<see cref="ILocalChunkCopy"/>, the Lucene index's stored fields). The
/// read then degrades the scope.</item>
/// <item>Only whole answers: when one id is held by neither, the store's fault stands (a 503), never a partial list.</item>
/// </list>
/// </summary>
public sealed class HitChunkSource(ChunkCache? cache = null, ILocalChunkCopy? copy = null)
{
    /// <summary>Like <see cref="IKnowledgeReader.GetChunksAsync"/>: the chunks in the order given, ids the store no longer has skipped.</summary>
    public async Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IKnowledgeReader store, CollectionInfo collection, IReadOnlyList<long> chunkIds, CancellationToken ct)
    {
        try
        {
            return cache is null ? await store.GetChunksAsync(chunkIds, ct) : await cache.GetChunksAsync(store, chunkIds, ct);
        }
        catch (StorageUnavailableException fault) when (LocalStateScope.Current is { } scope && Held(collection, chunkIds) is var held && held.Count == chunkIds.Distinct().Count())
        {
            scope.Degrade(fault);
            return chunkIds.Select(id => held[id]).ToList();
        }
    }

    /// <summary>
    /// Where each chunk of <paramref name="chunkIds"/> this replica holds sits, for ranking by neighbours without the
    /// store: chunks of one document share a key (numbered here, not the store's document key); ids not held are left out.
    /// </summary>
    public IReadOnlyDictionary<long, ChunkPosition> HeldPositions(CollectionInfo collection, IReadOnlyCollection<long> chunkIds)
    {
        var documents = new Dictionary<string, long>(StringComparer.Ordinal);
        var positions = new Dictionary<long, ChunkPosition>(chunkIds.Count);
        foreach (var (id, chunk) in Held(collection, chunkIds))
        {
            if (!documents.TryGetValue(chunk.DocumentId, out var key))
            {
                documents[chunk.DocumentId] = key = documents.Count;
            }

            positions[id] = new ChunkPosition(key, chunk.Ordinal);
        }

        return positions;
    }

    private Dictionary<long, StoredChunk> Held(CollectionInfo collection, IReadOnlyCollection<long> chunkIds)
    {
        var held = cache is null ? new Dictionary<long, StoredChunk>() : new Dictionary<long, StoredChunk>(cache.Held(chunkIds));
        var missing = chunkIds.Where(id => !held.ContainsKey(id)).Distinct().ToList();
        if (missing.Count > 0 && copy is not null)
        {
            foreach (var (id, chunk) in copy.Held(collection.Id, missing))
            {
                held[id] = chunk;
            }
        }

        return held;
    }
}
