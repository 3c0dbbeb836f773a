namespace RagService.Core.Retrieval;

/// <summary>
/// Convex combination of min-max normalised scores: score(d) = w · dense'(d) + (1 − w) · bm25'(d), where x' = (x − min) / (max − min)
/// over that retriever's candidates (1 when all are equal) and 0 for a document the retriever did not return.
/// Ties keep first-seen order (BM25 list first).
/// </summary>
public static class WeightedScoreFusion
{
    public static IReadOnlyList<(long Id, double Score)> Fuse(IReadOnlyList<(long Id, double Score)> bm25, IReadOnlyList<(long Id, double Score)> dense, double denseWeight)
    {
        var scores = new Dictionary<long, double>();
        var order = new Dictionary<long, int>();
        Add(bm25, 1 - denseWeight, scores, order);
        Add(dense, denseWeight, scores, order);
        return scores.OrderByDescending(kv => kv.Value).ThenBy(kv => order[kv.Key]).Select(kv => (kv.Key, kv.Value)).ToList();
    }

    private static void Add(IReadOnlyList<(long Id, double Score)> list, double weight, Dictionary<long, double> scores, Dictionary<long, int> order)
    {
        if (list.Count == 0)
        {
            return;
        }

        var min = list.Min(x => x.Score);
        var range = list.Max(x => x.Score) - min;
        foreach (var (id, score) in list)
        {
            var normalised = range > 0 ? (score - min) / range : 1.0;
            scores[id] = scores.GetValueOrDefault(id) + weight * normalised;
            order.TryAdd(id, order.Count);
        }
    }
}
