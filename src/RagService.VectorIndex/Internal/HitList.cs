using RagService.Core.Vectors;

namespace RagService.VectorIndex.Internal;

/// <summary>
/// Turns a result heap of slots into hits with caller ids, best first. With <c>dropNotLive</c> slots
/// that are not live are dropped here, for graph searches that skipped the state check because
/// nothing was deleted or pending when they started.
/// </summary>
internal static class HitList
{
    public static List<VectorHit> From(VectorCollection vectors, ScoreHeap heap, int? take = null, bool dropNotLive = false)
    {
        var ordered = SearchScratch.Current.Ordered;
        heap.DrainDescending(ordered);
        int n = Math.Min(take ?? ordered.Count, ordered.Count);
        var hits = new List<VectorHit>(n);
        for (int i = 0; i < ordered.Count && hits.Count < n; i++)
        {
            int slot = ordered[i].Node;
            if (!dropNotLive)
            {
                hits.Add(new VectorHit(vectors.IdAt(slot), ordered[i].Score));
                continue;
            }
            long id = vectors.IdAt(slot);
            // An update published while we check could make both its old and new slot pass; keep one.
            if (vectors.IsLive(slot) && !hits.Exists(h => h.Id == id))
            {
                hits.Add(new VectorHit(id, ordered[i].Score));
            }
        }
        return hits;
    }
}
