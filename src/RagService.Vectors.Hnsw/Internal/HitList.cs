
namespace RagService.Vectors.Hnsw.Internal;

/// <summary>Turns a result heap of slots into hits with caller ids, best first.</summary>
internal static unsafe class HitList
{
    public static List<NeighbourHit> From(VectorCollection vectors, ScoreHeap heap)
    {
        var ordered = SearchScratch.Current.Ordered;
        heap.DrainDescending(ordered);
        return ordered.Select(r => new NeighbourHit(vectors.IdAt(r.Node), r.Score)).ToList();
    }

    /// <summary>The best <paramref name="take"/> hits with distinct ids (the better slot of an id wins).</summary>
    public static List<NeighbourHit> FromDistinct(VectorCollection vectors, ScoreHeap heap, int take)
    {
        var ordered = SearchScratch.Current.Ordered;
        heap.DrainDescending(ordered);
        var hits = new List<NeighbourHit>(Math.Min(take, ordered.Count));
        for (int i = 0; i < ordered.Count && hits.Count < take; i++)
        {
            long id = vectors.IdAt(ordered[i].Node);
            if (!hits.Exists(h => h.Id == id))
            {
                hits.Add(new NeighbourHit(id, ordered[i].Score));
            }
        }
        return hits;
    }

    /// <summary>
    /// The hits of a graph search: every node found stands for its duplicate group, so each group member is scored
    /// against the query and ranked on its own; members that are not live or fail the filter are dropped. A member
    /// lies within <see cref="HnswGraph.DuplicateReach"/> of its node, so its score differs from the node's by at most
    /// that times |query|: groups of nodes that score below the <paramref name="take"/>-th node by twice that margin
    /// cannot reach the top and are not scored. Over a quantised collection the graph's scores are approximate: only
    /// the best <paramref name="rescore"/> nodes are kept, scored again with their float vectors and re-ranked first.
    /// </summary>
    public static List<NeighbourHit> FromGraph(VectorCollection vectors, HnswGraph graph, float* query, ScoreHeap heap, int take,
        int rescore, Func<long, bool>? filter = null)
    {
        var ordered = SearchScratch.Current.Ordered;
        heap.DrainDescending(ordered);
        int found = ordered.Count;
        if (found == 0)
        {
            return [];
        }

        if (vectors.Quantized)
        {
            found = Rescore(vectors, query, ordered, Math.Max(rescore, take));
        }

        int dim = vectors.Dimension;
        float margin = 2 * graph.DuplicateReach * MathF.Sqrt(VectorMath.Dot(query, query, dim));
        float cutoff = ordered[Math.Min(take, found) - 1].Score - margin;
        bool grouped = false;
        for (int i = 0; i < found && ordered[i].Score >= cutoff; i++)
        {
            for (int member = graph.Duplicates.Next(ordered[i].Node); member >= 0; member = graph.Duplicates.Next(member))
            {
                ordered.Add((VectorMath.Dot(query, vectors.Vector(member), dim), member));
                grouped = true;
            }
        }

        if (grouped)
        {
            ordered.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        }

        var hits = new List<NeighbourHit>(Math.Min(take, ordered.Count));
        for (int i = 0; i < ordered.Count && hits.Count < take; i++)
        {
            int slot = ordered[i].Node;
            long id = vectors.IdAt(slot);
            // An update published while we check could make both its old and new slot pass; keep one.
            if (vectors.IsLive(slot) && (filter is null || filter(id)) && !hits.Exists(h => h.Id == id))
            {
                hits.Add(new NeighbourHit(id, ordered[i].Score));
            }
        }
        return hits;
    }

    /// <summary>Keeps the best <paramref name="count"/> entries, with exact (float) scores, best first; returns how many are left.</summary>
    private static int Rescore(VectorCollection vectors, float* query, List<(float Score, int Node)> ordered, int count)
    {
        if (ordered.Count > count)
        {
            ordered.RemoveRange(count, ordered.Count - count);
        }

        int dim = vectors.Dimension;
        for (int i = 0; i < ordered.Count; i++)
        {
            int slot = ordered[i].Node;
            ordered[i] = (VectorMath.Dot(query, vectors.Vector(slot), dim), slot);
        }

        ordered.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        return ordered.Count;
    }
}
