namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Edges of the exact scans and of the graph's acceptance of nodes: a collection that fills its first 4,096-slot chunk
/// exactly, scanned whole and through an allowed-id set naming every id; an allowed-id list with repeats, which does not
/// cover the collection just because it is as long; a direct scan of a few allowed ids that keeps only k; and a graph
/// search (with a tombstone, with a filter) whose best answer is the first vector stored. Expectations come from a
/// brute-force ranking in the test.
/// </summary>
public sealed class ScanEdgeTests
{
    private const int Dim = 4;

    private static float[] Vector(int i)
    {
        var v = Enumerable.Range(0, Dim).Select(j => (float)Math.Sin((i * 0.61) + (j * 1.7) + 0.2)).ToArray();
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static float Dot(float[] a, float[] b) => a.Select((x, i) => x * b[i]).Sum();

    private static long[] BruteForceTop(IEnumerable<int> ids, float[] query, int k) =>
        ids.OrderByDescending(i => Dot(Vector(i), query)).Take(k).Select(i => (long)i).ToArray();

    [Fact]
    public void A_collection_filling_exactly_one_chunk_is_scanned_whole_and_through_a_set_of_every_id()
    {
        using var index = new ExactIndex(Dim);
        index.UpsertMany(4_096, i => i, i => Vector(i), threads: 1);
        Assert.Equal(4_096, index.State.Vectors.SlotCount);
        var query = Vector(5_000);
        var expected = BruteForceTop(Enumerable.Range(0, 4_096), query, 3);

        Assert.Equal(expected, index.Search(query, 3).Select(h => h.Id));
        var every = Enumerable.Range(0, 4_096).Select(i => (long)i).ToHashSet();
        Assert.Equal(expected, index.Search(query, 3, every).Select(h => h.Id));

        // Compaction walks the live entries up to the same full chunk and keeps them all.
        index.Compact();
        Assert.Equal(4_096, index.Count);
        Assert.Equal(expected, index.Search(query, 3).Select(h => h.Id));
    }

    [Fact]
    public void An_allowed_id_list_with_repeats_as_long_as_the_collection_still_filters()
    {
        using var index = new ExactIndex(Dim);
        index.UpsertMany(3, i => i, i => Vector(i), threads: 1);
        var query = Vector(2);

        var hits = index.Search(query, 3, new List<long> { 0, 0, 1 });

        Assert.Equal(BruteForceTop([0, 1], query, 3), hits.Select(h => h.Id));
    }

    [Fact]
    public void A_direct_scan_of_a_few_allowed_ids_returns_only_the_best_k_of_them()
    {
        using var index = new HnswIndex(Dim, new VectorIndexOptions { M = 4, EfConstruction = 16 });
        index.UpsertMany(40, i => i, i => Vector(i), threads: 1);
        long[] allowed = [3, 8, 13, 21, 34];
        var query = Vector(100);

        var hits = index.Search(query, 2, allowed);

        Assert.Equal(BruteForceTop(allowed.Select(i => (int)i), query, 2), hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.Equal(Dot(Vector((int)h.Id), query), h.Score, 5));
    }

    [Fact]
    public void A_graph_search_finds_the_first_stored_vector_with_tombstones_and_with_a_filter()
    {
        var options = new VectorIndexOptions
        {
            M = 4, EfConstruction = 32, ExactSearchThreshold = 0, FilteredExactMaxMatches = 0, FilterSelectivityThreshold = 0,
            DeterministicBuild = true, AutoCompactDeletedRatio = 0,
        };
        using var index = new HnswIndex(Dim, options);
        index.UpsertMany(30, i => i, i => Vector(i), threads: 1);
        index.Remove(29);    // not every slot live: the graph accepts live nodes only
        var query = Vector(0);
        var expected = BruteForceTop(Enumerable.Range(0, 29), query, 3);
        Assert.Equal(0L, expected[0]);

        Assert.Equal(expected, index.Search(query, 3).Select(h => h.Id));
        var even = BruteForceTop(Enumerable.Range(0, 29).Where(i => i % 2 == 0), query, 3);
        Assert.Equal(even, index.Search(query, 3, id => id % 2 == 0).Select(h => h.Id));
    }
}
