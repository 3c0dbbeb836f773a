namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Parallel builds over data whose insertion order follows its clusters (as a document's chunks do): two threads
/// insert near-identical vectors side by side, which is where a node that is reachable before its own links are
/// written loses the links of a concurrent insert.
/// </summary>
[Trait("Category", "LargeGraph")]
public class ParallelBuildTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Parallel_build_in_cluster_order_leaves_no_node_unreachable_and_matches_exact_top_10(int threads)
    {
        const int dim = 32;
        var data = new ClusteredData(dim, clusters: 40, seed: 5, spread: 0.5);
        var vectors = data.TakeInClusterOrder(perCluster: 150);
        var queries = data.Take(300);
        AssertWholeGraphWithExactTop10(vectors, queries, IndexFixtures.GraphOnly(), threads);
    }

    [Fact]
    public void Deterministic_builds_of_the_same_vectors_in_the_same_order_answer_identically()
    {
        const int dim = 24;
        var data = new ClusteredData(dim, clusters: 20, seed: 9, spread: 0.5);
        var vectors = data.TakeInClusterOrder(perCluster: 150);
        var queries = data.Take(100);
        var options = IndexFixtures.GraphOnly() with { DeterministicBuild = true, BuildThreads = 4 };
        using var first = new HnswIndex(dim, options);
        using var second = new HnswIndex(dim, options);
        IndexFixtures.Fill(first, vectors, threads: 4);
        IndexFixtures.Fill(second, vectors, threads: 4);
        second.Compact();   // compaction rebuilds too: also in order

        foreach (var q in queries)
        {
            Assert.Equal(first.Search(q, 50).Select(h => (h.Id, h.Score)), second.Search(q, 50).Select(h => (h.Id, h.Score)));
        }
    }

    /// <summary>
    /// Builds on <paramref name="threads"/> threads in the vectors' order, then asserts the graph reaches every node,
    /// every node has an in-link on level 0, and recall@10 at the ef of <paramref name="options"/> against exact search is ≥ 0.999.
    /// </summary>
    internal static void AssertWholeGraphWithExactTop10(float[][] vectors, float[][] queries, VectorIndexOptions options, int threads)
    {
        int dim = vectors[0].Length;
        using var hnsw = new HnswIndex(dim, options);
        using var exact = new ExactIndex(dim);
        IndexFixtures.Fill(hnsw, vectors, threads);
        IndexFixtures.Fill(exact, vectors);

        var health = hnsw.CheckGraph();
        double recall = IndexFixtures.Recall(hnsw, exact, queries, 10);

        Assert.Empty(health.Problems);
        Assert.Equal(vectors.Length, health.LiveNodes);
        Assert.True(health.UnreachableLiveNodes == 0 && health.Levels[0].InDegreeZero == 0 && health.Levels[0].Unreachable == 0,
            $"unreachable {health.UnreachableLiveNodes} of {health.LiveNodes}, level 0: {health.Levels[0]}; recall@10 {recall:F4}");
        Assert.True(recall >= 0.999, $"recall@10 = {recall:F4}");
    }
}
