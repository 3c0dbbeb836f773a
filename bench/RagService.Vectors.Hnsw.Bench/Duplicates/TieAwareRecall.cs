namespace RagService.Vectors.Hnsw.Bench.Duplicates;

/// <summary>
/// Recall against a brute-force oracle in double precision that does not penalise ties: a returned id counts when
/// its exact score is at least the exact k-th best score (less <see cref="Tolerance"/>, float32 rounding of a score).
/// Among 300 identical vectors any 10 are a correct top 10; an id-set comparison would call most of them misses.
/// </summary>
internal sealed class TieAwareRecall(float[][] vectors)
{
    public const double Tolerance = 1e-6;

    public double Of(float[] query, IEnumerable<long> returned, int k)
    {
        var scores = vectors.Select(v => Dot(v, query)).ToArray();
        int take = Math.Min(k, scores.Length);
        double kth = scores.OrderDescending().ElementAt(take - 1);
        int correct = returned.Distinct().Take(k).Count(id => scores[id] >= kth - Tolerance);
        return (double)correct / take;
    }

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += (double)a[i] * b[i];
        }

        return s;
    }
}
