namespace RagService.Cli.Eval;

/// <summary>
/// Retrieval quality from the 1-based rank of each question's first hit (0 = not in the list), as the Lucene anchor computes it:
/// recall@k = share with rank ≤ k; MRR@10 = mean of 1/rank for rank ≤ 10; failure@20 = 1 − recall@20.
/// </summary>
public sealed record RetrievalMetrics(int Questions, double RecallAt1, double RecallAt5, double RecallAt20, double MrrAt10, double FailureAt20)
{
    public static RetrievalMetrics From(IReadOnlyList<int> ranks)
    {
        double n = Math.Max(1, ranks.Count);
        double Recall(int k) => ranks.Count(r => r > 0 && r <= k) / n;
        var mrr = ranks.Sum(r => r > 0 && r <= 10 ? 1.0 / r : 0) / n;
        return new RetrievalMetrics(ranks.Count, Recall(1), Recall(5), Recall(20), mrr, 1 - Recall(20));
    }
}
