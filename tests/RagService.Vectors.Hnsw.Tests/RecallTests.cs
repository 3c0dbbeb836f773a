namespace RagService.Vectors.Hnsw.Tests;

public class RecallTests
{
    [Trait("Category", "LargeGraph")]
    [Fact]
    public void Hnsw_recall_at_10_is_at_least_095_against_exact_search_on_clustered_data()
    {
        var data = new ClusteredData(48, clusters: 100);
        var vectors = data.Take(12_000);
        var queries = data.Take(200);
        using var hnsw = new HnswIndex(48, IndexFixtures.GraphOnly());
        using var exact = new ExactIndex(48);
        IndexFixtures.Fill(hnsw, vectors);
        IndexFixtures.Fill(exact, vectors);

        double recall = IndexFixtures.Recall(hnsw, exact, queries, 10, ef: 64);

        Assert.True(recall >= 0.95, $"recall@10 = {recall:F4}");
        Assert.Equal(vectors.Length, hnsw.Count);
    }

    [Trait("Category", "LargeGraph")]
    [Fact]
    public void Results_are_best_first_with_inner_product_scores()
    {
        var data = new ClusteredData(32);
        var vectors = data.Take(3_000);
        using var hnsw = new HnswIndex(32, IndexFixtures.GraphOnly());
        IndexFixtures.Fill(hnsw, vectors);
        var q = data.Next();

        var hits = hnsw.Search(q, 20);

        Assert.Equal(20, hits.Count);
        Assert.Equal(20, hits.Select(h => h.Id).Distinct().Count());
        for (int i = 1; i < hits.Count; i++)
        {
            Assert.True(hits[i - 1].Score >= hits[i].Score);
        }

        foreach (var h in hits)
        {
            float expected = vectors[h.Id].Zip(q, (a, b) => a * b).Sum();
            Assert.Equal(expected, h.Score, 4);
        }
    }

    [Fact]
    public void Exact_index_returns_the_true_top_k()
    {
        var data = new ClusteredData(16);
        var vectors = data.Take(500);
        using var exact = new ExactIndex(16);
        IndexFixtures.Fill(exact, vectors);
        var q = data.Next();

        var expected = vectors.Select((v, i) => (Id: (long)i, Score: v.Zip(q, (a, b) => a * b).Sum()))
            .OrderByDescending(x => x.Score).Take(10).Select(x => x.Id).ToList();

        Assert.Equal(expected, exact.Search(q, 10).Select(h => h.Id).ToList());
    }

    [Fact]
    public void Small_or_empty_indexes_answer_and_reject_wrong_dimensions()
    {
        using var hnsw = new HnswIndex(8, IndexFixtures.GraphOnly());
        Assert.Empty(hnsw.Search(new float[8], 5));
        var data = new ClusteredData(8);
        hnsw.Upsert(1, data.Next());
        hnsw.Upsert(2, data.Next());
        Assert.Equal(2, hnsw.Search(data.Next(), 5).Count);
        Assert.Throws<ArgumentException>(() => hnsw.Upsert(3, new float[7]));
        Assert.Throws<ArgumentException>(() => hnsw.Search(new float[9], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => hnsw.Search(new float[8], 0));
        Assert.Throws<ArgumentException>(() => hnsw.UpsertMany(100, i => 10 + i, i => new float[i == 50 ? 3 : 8], 2));
    }
}
