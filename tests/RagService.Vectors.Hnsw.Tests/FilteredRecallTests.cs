using Xunit.Abstractions;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Filtered ANN recall on real embeddings: the 2,000 all-MiniLM-L6-v2 chunk vectors of SQuAD (<see cref="RealEmbeddingFixture"/>)
/// grouped into documents of four consecutive chunks, of which 1 %, 10 % or 50 % are visible to the caller (as an
/// access list leaves them), searched the way the service does (<see cref="NeighbourIndex.Search(ReadOnlySpan{float}, int, IReadOnlyCollection{long}, int?)"/>
/// with the visible chunk ids) and compared with an exact scan of the visible chunks: recall@10 at least 0.99. The
/// graph answers the 10 % and 50 % cases (the exact-scan fallback is set below them); 1 % falls under the selectivity
/// threshold and is scanned exactly, as in production.
/// </summary>
[Trait("Category", "LargeGraph")]
public sealed class FilteredRecallTests(ITestOutputHelper output)
{
    private const int ChunksPerDocument = 4;
    private static readonly Lazy<(RealEmbeddingFixture Data, HnswIndex Index)> Shared = new(() =>
    {
        var data = RealEmbeddingFixture.Load();
        var index = new HnswIndex(data.Chunks[0].Length, new VectorIndexOptions { ExactSearchThreshold = 0, FilteredExactMaxMatches = 100, AutoCompactDeletedRatio = 0 });
        IndexFixtures.Fill(index, data.Chunks);
        return (data, index);
    });

    public static TheoryData<int> VisiblePercent => new() { 1, 10, 50 };

    [Theory]
    [MemberData(nameof(VisiblePercent))]
    public void Dense_recall_at_10_over_the_visible_chunks_matches_an_exact_scan_of_them(int percent)
    {
        var (data, index) = Shared.Value;
        var visible = Enumerable.Range(0, data.Chunks.Length).Where(i => Visible(i / ChunksPerDocument, percent)).Select(i => (long)i).ToHashSet();
        using var exact = new ExactIndex(data.Chunks[0].Length);
        IndexFixtures.Fill(exact, data.Chunks);

        long expected = 0, agreed = 0;
        foreach (var q in data.Questions)
        {
            var hits = index.Search(q, 10, visible);
            Assert.All(hits, h => Assert.Contains(h.Id, visible));
            var truth = exact.Search(q, 10, visible.Contains).Select(h => h.Id).ToHashSet();
            expected += truth.Count;
            agreed += hits.Count(h => truth.Contains(h.Id));
        }

        var recall = (double)agreed / expected;
        output.WriteLine($"{percent}% visible ({visible.Count} of {data.Chunks.Length} chunks): recall@10 {recall:F4}");
        Assert.True(recall >= 0.99, $"recall@10 with {percent}% visible: {recall:F4}");
    }

    /// <summary>A fixed pseudo-random choice of documents (Knuth's multiplicative hash), the same in every run.</summary>
    private static bool Visible(int document, int percent) => (uint)(document * 2654435761u) % 100 < percent;
}
