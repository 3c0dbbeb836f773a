using RagService.Core.Vectors;

namespace RagService.VectorIndex.Internal;

/// <summary>Turns a result heap of slots into hits with caller ids, best first.</summary>
internal static unsafe class HitList
{
    public static List<VectorHit> From(VectorCollection vectors, ScoreHeap heap)
    {
        var ordered = SearchScratch.Current.Ordered;
        heap.DrainDescending(ordered);
        return ordered.Select(r => new VectorHit(vectors.IdAt(r.Node), r.Score)).ToList();
    }

    /// <summary>
    /// The hits of a graph search: every node found stands for its duplicate group, so each group member is scored
    /// against the query and ranked on its own; members that are not live or fail the filter are dropped.
    /// </summary>
    public static List<VectorHit> FromGraph(VectorCollection vectors, DuplicateGroups groups, float* query, ScoreHeap heap, int take,
        Func<long, bool>? filter = null)
    {
        var scratch = SearchScratch.Current;
        var ordered = scratch.Ordered;
        heap.DrainDescending(ordered);
        bool grouped = false;
        for (int i = 0, found = ordered.Count; i < found; i++)
        {
            for (int member = groups.Next(ordered[i].Node); member >= 0; member = groups.Next(member))
            {
                ordered.Add((VectorMath.Dot(query, vectors.Vector(member), vectors.Dimension), member));
                grouped = true;
            }
        }

        if (grouped)
        {
            ordered.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        }

        var hits = new List<VectorHit>(Math.Min(take, ordered.Count));
        for (int i = 0; i < ordered.Count && hits.Count < take; i++)
        {
            int slot = ordered[i].Node;
            long id = vectors.IdAt(slot);
            // An update published while we check could make both its old and new slot pass; keep one.
            if (vectors.IsLive(slot) && (filter is null || filter(id)) && !hits.Exists(h => h.Id == id))
            {
                hits.Add(new VectorHit(id, ordered[i].Score));
            }
        }
        return hits;
    }
}
