namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// <see cref="HnswIndex.CheckGraph"/> on a sound graph of 12 vectors, then with one defect written into its link records
/// at a time: each defect is reported in words naming the node, the level and the link, and a node nobody links to
/// counts as unreachable.
/// </summary>
public sealed class GraphHealthTests
{
    private const int Dim = 8;

    private static HnswIndex Build(params float[][] extra)
    {
        var index = new HnswIndex(Dim, new VectorIndexOptions { M = 2, EfConstruction = 16, ExactSearchThreshold = 0, DeterministicBuild = true });
        var random = new Random(3);
        for (int i = 0; i < 12; i++)
        {
            index.Upsert(i, Unit(random));
        }

        for (int i = 0; i < extra.Length; i++)
        {
            index.Upsert(100 + i, extra[i]);
        }

        return index;
    }

    [Fact]
    public void A_sound_graph_has_no_problems_and_counts_its_nodes_per_level()
    {
        using var index = Build();
        var health = index.CheckGraph();

        Assert.True(health.IsHealthy);
        Assert.Equal((12, 12, 0, 12, 0), (health.Nodes, health.LiveNodes, health.UnreachableLiveNodes, health.ReachableLiveNodes, health.DuplicateGroupMembers));
        int top = index.Graph.TopLevel;
        Assert.Equal(top + 1, health.Levels.Count);
        for (int l = 0; l <= top; l++)
        {
            int expected = Enumerable.Range(0, 12).Count(n => index.Graph.LevelOf(n) >= l);
            Assert.Equal(new GraphLevelHealth(l, expected, 0, 0), health.Levels[l]);
        }

        index.Remove(3);
        var afterRemoval = index.CheckGraph();
        Assert.Equal((12, 11, 0), (afterRemoval.Nodes, afterRemoval.LiveNodes, afterRemoval.UnreachableLiveNodes));
    }

    [Fact]
    public void An_empty_graph_is_healthy_with_no_levels()
    {
        using var index = new HnswIndex(Dim);
        var health = index.CheckGraph();
        Assert.True(health.IsHealthy);
        Assert.Equal((0, 0), (health.Nodes, health.Levels.Count));
        Assert.Equal((-1, -1), (index.Graph.EntryNode, index.Graph.TopLevel));   // no entry point, no level yet
        using var exact = new ExactIndex(Dim);
        Assert.Throws<InvalidOperationException>(() => Internal.GraphConsistency.Inspect(exact.State));
    }

    [Fact]
    public void Links_to_a_missing_node_to_itself_and_twice_to_one_node_are_named()
    {
        using var index = Build();
        var record = index.Graph.Level0Record(5);
        int first = record[1];
        record[0] = 4;
        record[2] = 40;      // no such slot
        record[3] = 5;       // itself
        record[4] = first;   // the first link again

        var health = index.CheckGraph();

        Assert.Equal(["node 5 level 0: link to missing node 40", "node 5 level 0: self link", $"node 5 level 0: duplicate link {first}"], health.Problems);
        Assert.False(health.IsHealthy);
    }

    [Fact]
    public void A_node_no_other_node_links_to_is_counted_unreachable_on_its_level_and_overall()
    {
        using var index = Build();
        int orphan = Enumerable.Range(0, 12).First(n => n != index.Graph.EntryNode && index.Graph.LevelOf(n) == 0);
        for (int n = 0; n < 12; n++)
        {
            var record = index.Graph.Level0Record(n);
            var kept = record.Slice(1, record[0]).ToArray().Where(m => m != orphan).ToArray();
            kept.CopyTo(record[1..]);
            record[0] = kept.Length;
        }

        var health = index.CheckGraph();

        Assert.Empty(health.Problems);
        Assert.Equal((1, 11), (health.UnreachableLiveNodes, health.ReachableLiveNodes));
        Assert.Equal(new GraphLevelHealth(0, 12, 1, 1), health.Levels[0]);
        Assert.False(health.IsHealthy);
        // Once removed, the orphan no longer counts: only live nodes must be reachable.
        index.Remove(orphan);
        Assert.Equal(0, index.CheckGraph().UnreachableLiveNodes);
    }

    [Fact]
    public void An_upper_level_link_to_a_node_without_that_level_is_named()
    {
        using var index = Build();
        int upper = Enumerable.Range(0, 12).First(n => index.Graph.LevelOf(n) >= 1);
        int ground = Enumerable.Range(0, 12).First(n => index.Graph.LevelOf(n) == 0);
        var links = index.Graph.UpperLinks(upper)!;
        links[0] = 1;
        links[1] = ground;

        Assert.Contains($"node {upper} level 1: link to {ground} of level 0", index.CheckGraph().Problems);
    }

    [Fact]
    public void A_copy_joins_its_node_as_a_duplicate_group_member_and_links_to_it_are_defects()
    {
        var random = new Random(3);
        var first = Unit(random);
        using var index = Build(first);   // slot 12 copies slot 0
        Assert.Equal(12, index.Graph.Duplicates.Next(0));
        Assert.Equal(1, index.CheckGraph().DuplicateGroupMembers);
        Assert.True(index.CheckGraph().IsHealthy);
        Assert.Equal([0L, 100L], index.Search(first, 2).Select(h => h.Id).Order());

        var record = index.Graph.Level0Record(7);
        record[1] = 12;
        Assert.Contains("node 7 level 0: link to duplicate group member 12", index.CheckGraph().Problems);

        index.Graph.Level0Record(12)[0] = 1;
        index.Graph.Level0Record(12)[1] = 3;
        Assert.Contains("duplicate group member 12 has links", index.CheckGraph().Problems);
    }

    [Fact]
    public void A_group_chain_that_leaves_the_slots_or_joins_another_chain_is_named()
    {
        using var index = Build();
        index.Graph.Duplicates.Restore(4, 50);
        Assert.Contains("slot 4: duplicate group link to 50", index.CheckGraph().Problems);

        index.Graph.Duplicates.Restore(4, 9);
        index.Graph.Duplicates.Restore(6, 9);
        Assert.Contains("slot 6: duplicate group link to 9", index.CheckGraph().Problems);
    }

    [Fact]
    public void An_entry_point_below_the_top_level_or_a_missing_one_is_named()
    {
        using var index = Build();
        var graph = index.Graph;
        int ground = Enumerable.Range(0, 12).First(n => graph.LevelOf(n) == 0);
        var upper = Enumerable.Range(0, 12).Select(graph.UpperLinks).ToArray();
        int top = graph.TopLevel;

        graph.RestoreAfterLoad(12, ground, top, n => upper[n], _ => -1);
        Assert.Contains("entry point is not on the top level", index.CheckGraph().Problems);

        graph.RestoreAfterLoad(12, -1, 0, n => upper[n], _ => -1);
        var health = index.CheckGraph();
        Assert.Contains("non-empty graph without entry point", health.Problems);
        Assert.Equal(12, health.UnreachableLiveNodes);
    }

    private static float[] Unit(Random random)
    {
        var v = Enumerable.Range(0, Dim).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
