using RagService.Core.Storage;
using RagService.Core.Tests.Fakes;

namespace RagService.Core.Tests;

/// <summary>
/// Where a search's hits come from: the store while it answers; with it unreachable, inside a LocalStateScope only, the
/// chunk cache first and then the local copy, all of the ids or none (the store's fault stands).
/// </summary>
public class HitChunkSourceTests
{
    private static readonly CollectionInfo Kb = new(7, "kb", new CollectionSettings(), DateTimeOffset.UnixEpoch);
    private static readonly StorageUnavailableException Down = new("the store (test) cannot be used now");

    [Fact]
    public async Task With_the_store_up_hits_are_read_from_it_and_the_local_copy_is_never_asked()
    {
        var (store, cache, copy) = Parts();
        using var scope = LocalStateScope.Begin();

        var read = await new HitChunkSource(cache, copy).GetChunksAsync(store, Kb, [3, 1], default);

        Assert.Equal(["store 3", "store 1"], read.Select(c => c.Text));
        Assert.Equal((false, 0), (scope.Degraded, copy.Asked));
    }

    [Fact]
    public async Task With_the_store_down_a_scoped_read_takes_the_cache_then_the_copy_in_the_order_asked_and_degrades_the_scope()
    {
        var (store, cache, copy) = Parts();
        cache.Add([Chunk(1, "cached 1")]);
        store.Unreachable = Down;
        using var scope = LocalStateScope.Begin();

        var read = await new HitChunkSource(cache, copy).GetChunksAsync(store, Kb, [3, 1, 2], default);

        Assert.Equal(["copy 3", "cached 1", "copy 2"], read.Select(c => c.Text));
        Assert.Equal(Down.Message, scope.Reason);
    }

    [Fact]
    public async Task One_id_held_nowhere_or_a_read_outside_a_scope_keeps_the_stores_fault()
    {
        var (store, cache, copy) = Parts();
        store.Unreachable = Down;
        var source = new HitChunkSource(cache, copy);

        Assert.Same(Down, await Assert.ThrowsAsync<StorageUnavailableException>(() => source.GetChunksAsync(store, Kb, [1, 2], default)));
        using var scope = LocalStateScope.Begin();
        Assert.Same(Down, await Assert.ThrowsAsync<StorageUnavailableException>(() => source.GetChunksAsync(store, Kb, [1, 9], default)));
        Assert.False(scope.Degraded);
        Assert.Same(Down, await Assert.ThrowsAsync<StorageUnavailableException>(() => source.GetChunksAsync(store, Kb with { Id = 8 }, [1], default)));
    }

    [Fact]
    public void Held_positions_number_documents_by_id_and_leave_out_what_is_not_held()
    {
        var (_, cache, copy) = Parts();
        cache.Add([Chunk(1, "cached 1") with { DocumentId = "b", Ordinal = 4 }]);

        var positions = new HitChunkSource(cache, copy).HeldPositions(Kb, [1, 2, 3, 9]);

        // Ids 2 and 3 (document "a", from the copy) share a document key; id 1 (document "b", from the cache) has another.
        Assert.Equal([1L, 2, 3], positions.Keys.Order());
        Assert.Equal((4, 2, 3), (positions[1].Ordinal, positions[2].Ordinal, positions[3].Ordinal));
        Assert.Equal(positions[2].DocumentKey, positions[3].DocumentKey);
        Assert.NotEqual(positions[1].DocumentKey, positions[2].DocumentKey);
    }

    private static (FakeKnowledgeStore Store, ChunkCache Cache, CopyOf Copy) Parts()
    {
        var store = new FakeKnowledgeStore();
        foreach (var id in new long[] { 1, 2, 3 })
        {
            store.Chunks[id] = Chunk(id, $"store {id}");
        }

        var copy = new CopyOf(Kb.Id, new[] { 1L, 2, 3 }.ToDictionary(id => id, id => Chunk(id, $"copy {id}")));
        return (store, new ChunkCache(new ChunkCacheOptions()), copy);
    }

    private static StoredChunk Chunk(long id, string text) =>
        new(id, "a", null, (int)id, text, [], null, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);

    /// <summary>One collection's records, counting how often it is asked.</summary>
    private sealed class CopyOf(long collectionId, Dictionary<long, StoredChunk> records) : ILocalChunkCopy
    {
        public int Asked { get; private set; }

        public IReadOnlyDictionary<long, StoredChunk> Held(long collection, IReadOnlyCollection<long> chunkIds)
        {
            Asked++;
            return collection != collectionId ? new Dictionary<long, StoredChunk>() : chunkIds.Where(records.ContainsKey).ToDictionary(id => id, id => records[id]);
        }
    }
}
