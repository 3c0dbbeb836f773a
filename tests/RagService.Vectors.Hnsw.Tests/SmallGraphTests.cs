using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Graphs small enough to run per mutant (tools/mutation.sh), with M = 6 so that lists fill and the neighbour heuristic
/// prunes: every vector must find itself through the graph, the graph must reach every node, and the neighbours the
/// heuristic keeps are checked on points of a circle whose angles say which one it must keep.
/// </summary>
public sealed class SmallGraphTests
{
    private const int Dim = 16;

    private static VectorIndexOptions Small(bool deterministic = true) => new()
    {
        M = 6,
        EfConstruction = 32,
        EfSearch = 16,
        ExactSearchThreshold = 0,
        AutoCompactDeletedRatio = 0,
        DeterministicBuild = deterministic,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_vector_of_a_pruned_graph_finds_itself_and_every_node_is_reachable(int threads)
    {
        var vectors = new ClusteredData(Dim, clusters: 6, seed: 13, spread: 0.6).Take(300);
        using var index = new HnswIndex(Dim, Small(deterministic: threads == 1));
        IndexFixtures.Fill(index, vectors, threads);

        var health = index.CheckGraph();
        Assert.Empty(health.Problems);
        Assert.Equal((300, 300, 0), (health.Nodes, health.LiveNodes, health.UnreachableLiveNodes));
        Assert.Equal((0, 0), (health.Levels[0].InDegreeZero, health.Levels[0].Unreachable));
        Assert.Equal(300, health.Levels[0].Nodes);
        // M = 6: a node reaches level l with probability 6^-l, so about 50 of 300 nodes have level 1 and 8 level 2.
        Assert.True(health.Levels.Count >= 3, $"{health.Levels.Count} levels");
        Assert.InRange(health.Levels[1].Nodes, 30, 75);
        Assert.InRange(health.Levels[2].Nodes, 3, 20);
        for (int i = 0; i < vectors.Length; i++)
        {
            var hit = index.Search(vectors[i], 1)[0];
            Assert.Equal(i, hit.Id);
            Assert.Equal(1f, hit.Score, 4);
        }
    }

    [Fact]
    public void Recall_at_10_through_the_graph_matches_an_exact_scan_at_a_narrow_beam()
    {
        var data = new ClusteredData(Dim, clusters: 6, seed: 17, spread: 0.6);
        var vectors = data.Take(300);
        using var index = new HnswIndex(Dim, Small());
        using var exact = new ExactIndex(Dim);
        IndexFixtures.Fill(index, vectors, threads: 1);
        IndexFixtures.Fill(exact, vectors);

        double recall = IndexFixtures.Recall(index, exact, data.Take(50), 10, ef: 10);
        Assert.True(recall >= 0.97, $"recall {recall}");
        foreach (var q in data.Take(20))
        {
            var hits = index.Search(q, 10);
            Assert.Equal(exact.Search(q, 10).Select(h => h.Id), hits.Select(h => h.Id));
            Assert.All(hits, h => Assert.Equal(Dot(q, vectors[h.Id]), h.Score, 5));
        }
    }

    [Fact]
    public void The_heuristic_keeps_the_nearest_neighbour_and_drops_one_that_is_nearer_to_it_than_to_the_new_node()
    {
        // Points of the unit circle (embedded in 4 dimensions). Built one at a time with M = 2, the point at 0° is
        // inserted last and sees 10°, 20° and -30° (in that order of closeness): it keeps 10°, drops 20° (closer to
        // 10°, cos 10°, than to 0°, cos 20°) and keeps -30° (cos 40° to 10° is below cos 30° to 0°).
        using var index = new HnswIndex(4, new VectorIndexOptions { M = 2, EfConstruction = 8, ExactSearchThreshold = 0, DeterministicBuild = true });
        index.Upsert(10, Angle(10));
        index.Upsert(20, Angle(20));
        index.Upsert(-30, Angle(-30));
        index.Upsert(0, Angle(0));

        var neighbours = index.Graph.Neighbours(SlotOf(index, 0), 0).ToArray().Select(s => index.State.Vectors.IdAt(s));
        Assert.Equal([10L, -30L], neighbours);
        // The back links: 10° and -30° link to 0°; 20° does not (it was not chosen), and is still found.
        Assert.Contains(SlotOf(index, 0), index.Graph.Neighbours(SlotOf(index, 10), 0).ToArray());
        Assert.Contains(SlotOf(index, 0), index.Graph.Neighbours(SlotOf(index, -30), 0).ToArray());
        Assert.DoesNotContain(SlotOf(index, 0), index.Graph.Neighbours(SlotOf(index, 20), 0).ToArray());
        Assert.Equal([0L, 10L, 20L, -30L], index.Search(Angle(1), 4).Select(h => h.Id));
    }

    [Fact]
    public void A_full_list_is_pruned_to_its_capacity_keeping_the_directions_spread()
    {
        // M = 2: level 0 holds 4 links. The node at 0° is inserted first; 8 points at ±5°, ±40°, ±100°, ±150° follow.
        // Each links back to 0°; once its list is full, pruning keeps at most 4, at most one per direction.
        using var index = new HnswIndex(4, new VectorIndexOptions { M = 2, EfConstruction = 16, ExactSearchThreshold = 0, DeterministicBuild = true });
        index.Upsert(0, Angle(0));
        foreach (int a in new[] { 5, -5, 40, -40, 100, -100, 150, -150 })
        {
            index.Upsert(a, Angle(a));
        }

        var health = index.CheckGraph();
        Assert.Empty(health.Problems);
        Assert.Equal(0, health.UnreachableLiveNodes);
        var links = index.Graph.Neighbours(SlotOf(index, 0), 0).ToArray().Select(s => index.State.Vectors.IdAt(s)).ToArray();
        Assert.InRange(links.Length, 2, 4);
        Assert.False(links.Contains(5) && links.Contains(40), string.Join(", ", links));
        Assert.False(links.Contains(-5) && links.Contains(-40), string.Join(", ", links));
        foreach (int a in new[] { 0, 5, -5, 40, -40, 100, -100, 150, -150 })
        {
            Assert.Equal(a, index.Search(Angle(a), 1, (Func<long, bool>?)null, efSearch: 1)[0].Id);
        }
    }

    [Fact]
    public void Removed_vectors_stay_bridges_but_are_never_returned_and_compaction_drops_them()
    {
        var data = new ClusteredData(Dim, clusters: 6, seed: 19, spread: 0.6);
        var vectors = data.Take(200);
        using var index = new HnswIndex(Dim, Small());
        using var exact = new ExactIndex(Dim);
        IndexFixtures.Fill(index, vectors, threads: 1);
        IndexFixtures.Fill(exact, vectors);
        for (int i = 0; i < 200; i += 3)
        {
            Assert.True(index.Remove(i));
            exact.Remove(i);
        }

        Assert.False(index.Remove(0));
        Assert.Equal((133, 67), (index.Count, index.DeletedCount));
        foreach (var q in data.Take(10).Concat(vectors.Where((_, i) => i % 3 == 0).Take(10)))
        {
            Assert.Equal(exact.Search(q, 10).Select(h => h.Id), index.Search(q, 10).Select(h => h.Id));
        }

        index.Compact();
        Assert.Equal((133, 0), (index.Count, index.DeletedCount));
        Assert.Equal((133, 0), (index.CheckGraph().Nodes, index.CheckGraph().UnreachableLiveNodes));
        foreach (var q in data.Take(10))
        {
            Assert.Equal(exact.Search(q, 10).Select(h => h.Id), index.Search(q, 10).Select(h => h.Id));
        }
    }

    private static float[] Angle(double degrees)
    {
        double r = degrees * Math.PI / 180;
        return [(float)Math.Cos(r), (float)Math.Sin(r), 0, 0];
    }

    internal static int SlotOf(NeighbourIndex index, long id) =>
        index.State.Vectors.TryGetSlot(id, out int slot) ? slot : throw new InvalidOperationException($"id {id} not stored");

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
