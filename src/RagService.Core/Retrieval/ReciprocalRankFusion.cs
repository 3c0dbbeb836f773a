namespace RagService.Core.Retrieval;

/// <summary>
/// Reciprocal-rank fusion (Cormack et al. 2009): score(d) = Σ over lists of 1 / (k + rank(d)), rank 1-based.
/// Ties keep the order in which ids were first seen, walking the lists rank by rank.
/// </summary>
public static class ReciprocalRankFusion
{
    public const int DefaultK = 60;

    public static IReadOnlyList<(long Id, double Score)> Fuse(IReadOnlyList<IReadOnlyList<long>> rankedLists, int k = DefaultK)
    {
        var scores = new Dictionary<long, double>();
        var firstSeen = new Dictionary<long, int>();
        var maxLen = rankedLists.Count == 0 ? 0 : rankedLists.Max(l => l.Count);
        for (var rank = 0; rank < maxLen; rank++)
        {
            foreach (var list in rankedLists)
            {
                if (rank >= list.Count)
                {
                    continue;
                }

                var id = list[rank];
                scores[id] = scores.GetValueOrDefault(id) + 1.0 / (k + rank + 1);
                firstSeen.TryAdd(id, firstSeen.Count);
            }
        }

        return scores.OrderByDescending(kv => kv.Value).ThenBy(kv => firstSeen[kv.Key]).Select(kv => (kv.Key, kv.Value)).ToList();
    }
}
