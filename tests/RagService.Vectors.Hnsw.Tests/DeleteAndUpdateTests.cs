namespace RagService.Vectors.Hnsw.Tests;

[Trait("Category", "LargeGraph")]
public class DeleteAndUpdateTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Removed_ids_are_never_returned(bool compact)
    {
        var data = new ClusteredData(32);
        var vectors = data.Take(6_000);
        using var index = new HnswIndex(32, IndexFixtures.GraphOnly());
        IndexFixtures.Fill(index, vectors);
        var removed = Enumerable.Range(0, vectors.Length).Where(i => i % 3 == 0).Select(i => (long)i).ToHashSet();
        foreach (long id in removed)
        {
            Assert.True(index.Remove(id));
        }

        Assert.False(index.Remove(0));
        if (compact)
        {
            index.Compact();
        }

        Assert.Equal(vectors.Length - removed.Count, index.Count);
        Assert.Equal(compact ? 0 : removed.Count, index.DeletedCount);
        // Querying with the removed vectors themselves is the hardest case: each is its own nearest neighbour.
        foreach (long id in removed.Take(300))
        {
            var hits = index.Search(vectors[id], 10);
            Assert.Equal(10, hits.Count);
            Assert.DoesNotContain(hits, h => removed.Contains(h.Id));
        }
    }

    [Fact]
    public void Upsert_replaces_the_vector_and_leaves_no_stale_hit()
    {
        var data = new ClusteredData(32, seed: 11);
        var vectors = data.Take(4_000);
        using var index = new HnswIndex(32, IndexFixtures.GraphOnly());
        IndexFixtures.Fill(index, vectors);
        var replacements = data.Take(200);

        for (int i = 0; i < replacements.Length; i++)
        {
            index.Upsert(i, replacements[i]);
        }

        Assert.Equal(vectors.Length, index.Count);
        for (int i = 0; i < replacements.Length; i++)
        {
            var top = index.Search(replacements[i], 1)[0];
            Assert.Equal(i, top.Id);
            Assert.Equal(1f, top.Score, 3);
            // The old vector's best hit must not be id i with the old (stale) score.
            var old = index.Search(vectors[i], 5);
            Assert.DoesNotContain(old, h => h.Id == i && h.Score > 0.9999f && replacements[i].Zip(vectors[i], (a, b) => a * b).Sum() < 0.999f);
            Assert.Single(index.Search(replacements[i], 50), h => h.Id == i);
        }
    }

    [Fact]
    public void Removing_everything_then_reinserting_works_and_compaction_shrinks_storage()
    {
        var data = new ClusteredData(16);
        var vectors = data.Take(2_000);
        using var index = new HnswIndex(16, IndexFixtures.GraphOnly());
        IndexFixtures.Fill(index, vectors);
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Remove(i);
        }

        Assert.Equal(0, index.Count);
        Assert.Empty(index.Search(vectors[0], 5));

        index.Compact();
        Assert.Equal(0, index.DeletedCount);
        IndexFixtures.Fill(index, vectors, idOffset: 10_000);
        var hits = index.Search(vectors[5], 3);
        Assert.Equal(10_005, hits[0].Id);
    }

    [Fact]
    public async Task Automatic_compaction_keeps_answers_correct()
    {
        var data = new ClusteredData(16);
        var vectors = data.Take(3_000);
        using var index = new HnswIndex(16, IndexFixtures.GraphOnly() with { AutoCompactDeletedRatio = 0.2 });
        IndexFixtures.Fill(index, vectors);
        for (int i = 0; i < 1_500; i++)
        {
            index.Remove(i);
            await index.BackgroundCompaction;
        }

        // Compaction runs whenever tombstones exceed 20 % of stored nodes: at 601 of 3,000 (2,399 stored after),
        // at 480 more (1,919 stored), at 384 more (1,535 stored); the last 35 removals stay below 20 %.
        Assert.Equal(35, index.DeletedCount);
        Assert.Equal(1_500, index.Count);
        Assert.All(index.Search(vectors[10], 10), h => Assert.True(h.Id >= 1_500));
    }
}
