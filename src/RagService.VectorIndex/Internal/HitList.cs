using RagService.Core.Vectors;

namespace RagService.VectorIndex.Internal;

/// <summary>Turns a result heap of slots into hits with caller ids, best first.</summary>
internal static class HitList
{
    public static List<VectorHit> From(VectorCollection vectors, ScoreHeap heap, int? take = null)
    {
        var ordered = SearchScratch.Current.Ordered;
        heap.DrainDescending(ordered);
        int n = Math.Min(take ?? ordered.Count, ordered.Count);
        var hits = new List<VectorHit>(n);
        for (int i = 0; i < n; i++) hits.Add(new VectorHit(vectors.IdAt(ordered[i].Node), ordered[i].Score));
        return hits;
    }
}
