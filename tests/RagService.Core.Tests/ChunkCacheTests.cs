using RagService.Core.Storage;
using RagService.Core.Tests.Fakes;

namespace RagService.Core.Tests;

public class ChunkCacheTests
{
    // A chunk of document "d" without title, headings or metadata weighs 2 × (text + 1) + 48 × 6 bytes: 308 for a 9-character text.
    private const long NineCharacterChunk = 2 * (9 + 1) + 48 * 6;

    [Fact]
    public void The_size_estimate_counts_every_string_and_a_fixed_allowance_per_object()
    {
        var chunk = new StoredChunk(1, "doc", "Title", 0, "0123456789", ["H1", "H22"], 2, new Dictionary<string, string> { ["k"] = "vv" }, default);
        // Strings: 10 + 3 + 5 + 2 + 3 + 1 + 2 = 26 characters; objects: 6 + 2 headings + 2 × 1 metadata entry = 10.
        Assert.Equal(2 * 26 + 48 * 10, ChunkCache.SizeOf(chunk));
        Assert.Equal(NineCharacterChunk, ChunkCache.SizeOf(Chunk(1)));
    }

    [Fact]
    public async Task A_second_read_of_the_same_ids_does_not_reach_the_store()
    {
        var store = Store(1, 2, 3);
        var cache = new ChunkCache(new ChunkCacheOptions());

        Assert.Equal(["chunk 003", "chunk 001"], (await cache.GetChunksAsync(store, [3, 1], default)).Select(c => c.Text));
        Assert.Equal(["chunk 001", "chunk 002", "chunk 003"], (await cache.GetChunksAsync(store, [1, 2, 3], default)).Select(c => c.Text));

        Assert.Equal([[3, 1], [2]], store.ChunkReads.Select(r => r.ToArray()));
        Assert.Equal((2L, 3L), (cache.Hits, cache.Misses));
    }

    [Fact]
    public async Task Ids_the_store_no_longer_has_are_skipped_and_not_remembered()
    {
        var store = Store(1);
        var cache = new ChunkCache(new ChunkCacheOptions());

        Assert.Equal(["chunk 001"], (await cache.GetChunksAsync(store, [9, 1], default)).Select(c => c.Text));
        Assert.Equal(1, cache.Count);
        await cache.GetChunksAsync(store, [9], default);
        Assert.Equal([[9, 1], [9]], store.ChunkReads.Select(r => r.ToArray()));
    }

    [Fact]
    public async Task The_least_recently_used_chunk_leaves_when_the_bound_is_reached()
    {
        var store = Store(1, 2, 3, 4);
        var cache = new ChunkCache(new ChunkCacheOptions { MaxBytes = 3 * NineCharacterChunk });
        await cache.GetChunksAsync(store, [1, 2, 3], default);
        await cache.GetChunksAsync(store, [1], default); // 1 is now the most recent, 2 the least
        store.ChunkReads.Clear();

        await cache.GetChunksAsync(store, [4], default);
        Assert.Equal((3, 3 * NineCharacterChunk), (cache.Count, cache.Bytes));
        await cache.GetChunksAsync(store, [1, 3, 4], default);
        Assert.Equal([[4]], store.ChunkReads.Select(r => r.ToArray()));
        await cache.GetChunksAsync(store, [2], default);
        Assert.Equal([[4], [2]], store.ChunkReads.Select(r => r.ToArray()));
    }

    [Fact]
    public async Task A_chunk_larger_than_the_bound_and_a_bound_of_zero_keep_nothing()
    {
        var store = Store(1);
        var small = new ChunkCache(new ChunkCacheOptions { MaxBytes = NineCharacterChunk - 1 });
        var off = new ChunkCache(new ChunkCacheOptions { MaxBytes = 0 });
        foreach (var cache in new[] { small, off })
        {
            Assert.Equal(["chunk 001"], (await cache.GetChunksAsync(store, [1], default)).Select(c => c.Text));
            Assert.Equal(["chunk 001"], (await cache.GetChunksAsync(store, [1], default)).Select(c => c.Text));
            Assert.Equal((0, 0L), (cache.Count, cache.Bytes));
        }

        Assert.Equal(4, store.ChunkReads.Count);
    }

    [Fact]
    public async Task Removed_chunks_are_read_from_the_store_again()
    {
        var store = Store(1, 2);
        var cache = new ChunkCache(new ChunkCacheOptions());
        await cache.GetChunksAsync(store, [1, 2], default);
        cache.Remove([1]);
        store.Chunks.Remove(1);

        Assert.Equal(["chunk 002"], (await cache.GetChunksAsync(store, [1, 2], default)).Select(c => c.Text));
        Assert.Equal((1, NineCharacterChunk), (cache.Count, cache.Bytes));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(64L * 1024 * 1024 * 1024 + 1)]
    public void A_bound_out_of_range_is_refused_naming_the_setting(long bytes)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkCache(new ChunkCacheOptions { MaxBytes = bytes }));
        Assert.Contains("Rag:ChunkCache:MaxBytes", e.Message);
    }

    [Fact]
    public async Task Concurrent_readers_and_writers_always_get_each_ids_own_text_and_the_bound_holds()
    {
        // The store answers from an immutable table (chunk ids are never reused), so any text other than "chunk NNN" for id NNN is a defect.
        var table = Enumerable.Range(1, 200).ToDictionary(i => (long)i, i => Chunk(i));
        var store = new TableReader(table);
        var cache = new ChunkCache(new ChunkCacheOptions { MaxBytes = 20 * NineCharacterChunk });
        var start = new TaskCompletionSource();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            await start.Task;
            var random = new Random(w);
            for (var round = 0; round < 500; round++)
            {
                var ids = Enumerable.Range(0, 5).Select(_ => (long)random.Next(1, 201)).ToList();
                if (round % 7 == 0)
                {
                    cache.Add(ids.Select(id => table[id]));
                }

                if (round % 11 == 0)
                {
                    cache.Remove(ids.Take(2));
                }

                var read = await cache.GetChunksAsync(store, ids, default);
                Assert.Equal(ids.Select(id => $"chunk {id:D3}"), read.Select(c => c.Text));
                Assert.Equal(ids, read.Select(c => c.ChunkId));
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(workers);

        Assert.InRange(cache.Bytes, 0, 20 * NineCharacterChunk);
        Assert.Equal(cache.Count * NineCharacterChunk, cache.Bytes);
        Assert.Equal(8 * 500 * 5, cache.Hits + cache.Misses);
    }

    private static StoredChunk Chunk(long id) =>
        new(id, "d", null, 0, $"chunk {id:D3}", [], null, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);

    private static FakeKnowledgeStore Store(params long[] ids)
    {
        var store = new FakeKnowledgeStore();
        foreach (var id in ids)
        {
            store.Chunks[id] = Chunk(id);
        }

        return store;
    }

    /// <summary>A thread-safe reader over a fixed table, yielding once per read so that readers interleave.</summary>
    private sealed class TableReader(Dictionary<long, StoredChunk> table) : IKnowledgeReader
    {
        public async Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IReadOnlyList<long> chunkIds, CancellationToken ct)
        {
            await Task.Yield();
            return chunkIds.Where(table.ContainsKey).Select(id => table[id]).ToList();
        }

        public Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct) => throw new NotSupportedException();

        public Task<CollectionStats> GetStatsAsync(CollectionInfo collection, RagService.Core.Access.AccessScope? access, CancellationToken ct) =>
            throw new NotSupportedException();

        public Task<DocumentRecord?> GetDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, RagService.Core.Access.AccessScope? access,
            CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<long>> ListChunkIdsAsync(CollectionInfo collection, string documentId, int offset, int limit, CancellationToken ct) =>
            throw new NotSupportedException();

        public Task<IReadOnlyDictionary<long, ChunkPosition>> GetChunkPositionsAsync(IReadOnlyCollection<long> chunkIds, CancellationToken ct) =>
            throw new NotSupportedException();
    }
}
