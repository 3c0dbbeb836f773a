namespace RagService.VectorIndex.Tests;

/// <summary>
/// Parallel builds over data whose insertion order follows its clusters (as a document's chunks do): two threads
/// insert near-identical vectors side by side, which is where a node that is reachable before its own links are
/// written loses the links of a concurrent insert.
/// </summary>
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
        using var hnsw = new HnswIndex(dim, IndexFixtures.GraphOnly() with { EfSearch = 64 });
        using var exact = new ExactVectorIndex(dim);
        IndexFixtures.Fill(hnsw, vectors, threads);
        IndexFixtures.Fill(exact, vectors);

        var health = hnsw.CheckGraph();
        double recall = IndexFixtures.Recall(hnsw, exact, queries, 10);

        Assert.Empty(health.Problems);
        Assert.Equal(vectors.Length, health.LiveNodes);
        Assert.True(health.UnreachableLiveNodes == 0 && health.Levels[0].InDegreeZero == 0 && health.Levels[0].Unreachable == 0,
            $"unreachable {health.UnreachableLiveNodes}, level 0: {health.Levels[0]}; recall@10 {recall:F4}");
        Assert.True(recall >= 0.999, $"recall@10 = {recall:F4}");
    }
}
