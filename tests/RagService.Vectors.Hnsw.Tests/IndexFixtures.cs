
namespace RagService.Vectors.Hnsw.Tests;

internal static class IndexFixtures
{
    /// <summary>Options that force the graph path even on small test sets.</summary>
    public static VectorIndexOptions GraphOnly(int m = 16) => new()
    {
        M = m,
        EfConstruction = 100,
        EfSearch = 64,
        ExactSearchThreshold = 0,
        AutoCompactDeletedRatio = 0,
        BuildThreads = 2,
    };

    public static void Fill(NeighbourIndex index, float[][] vectors, int threads = 2, long idOffset = 0) =>
        index.UpsertMany(vectors.Length, i => i + idOffset, i => vectors[i], threads);

    public static double Recall(INeighbourIndex approx, INeighbourIndex exact, float[][] queries, int k, int? ef = null)
    {
        long hits = 0;
        foreach (var q in queries)
        {
            var truth = exact.Search(q, k).Select(h => h.Id).ToHashSet();
            hits += approx.Search(q, k, null, ef).Count(h => truth.Contains(h.Id));
        }
        return (double)hits / (queries.Length * k);
    }
}
