
namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Chooses how a query runs: exact scan for small or selectively filtered sets, graph search
/// otherwise, with an exact fallback whenever the graph found fewer than k acceptable hits.
/// </summary>
internal static unsafe class SearchRouter
{
    // Cap on the widened candidate list of a filtered graph search, relative to the live count.
    private const int MaxFilteredEf = 4_096;

    public static List<NeighbourHit> Search(IndexState state, VectorIndexOptions options, ReadOnlySpan<float> query,
        int k, Func<long, bool>? filter, int ef)
    {
        var vectors = state.Vectors;
        int live = vectors.LiveCount;
        if (live == 0)
        {
            return [];
        }

        fixed (float* q = query)
        {
            if (state.Graph is not { } graph)
            {
                return ExactScanner.ScanAll(vectors, q, k, filter);
            }

            ef = Math.Max(ef, k);
            if (filter is null)
            {
                if (live <= options.ExactSearchThreshold)
                {
                    return ExactScanner.ScanAll(vectors, q, k, null);
                }

                var scratch = SearchScratch.Current;
                bool allLive = vectors.AllLive;
                if (allLive)
                {
                    graph.Search(q, ef, default(AcceptAll), scratch, exhaustUntilFull: false);
                }
                else
                {
                    graph.Search(q, ef, new AcceptLive(vectors, graph.Duplicates), scratch, exhaustUntilFull: true);
                }

                var hits = HitList.FromGraph(vectors, graph, q, scratch.Results, k, Rescored(options, k));
                return hits.Count >= Math.Min(k, live) ? hits : ExactScanner.ScanAll(vectors, q, k, null);
            }

            double fraction = FilterSelectivity.Estimate(vectors, filter);
            double expected = fraction * live;
            if (fraction < options.FilterSelectivityThreshold || expected <= options.FilteredExactMaxMatches
                || live <= options.ExactSearchThreshold)
            {
                return ExactScanner.ScanAll(vectors, q, k, filter);
            }

            // The graph visits about ef nodes that pass; widen the list so that many matching ones are found.
            int widened = (int)Math.Min(Math.Min(ef / fraction, MaxFilteredEf), live);
            var s = SearchScratch.Current;
            graph.Search(q, Math.Max(ef, widened), new AcceptLiveMatching(vectors, graph.Duplicates, filter), s, exhaustUntilFull: true);
            var filtered = HitList.FromGraph(vectors, graph, q, s.Results, k, Rescored(options, k), filter);
            return filtered.Count >= k ? filtered : ExactScanner.ScanAll(vectors, q, k, filter);
        }
    }

    public static List<NeighbourHit> SearchAllowed(IndexState state, VectorIndexOptions options, ReadOnlySpan<float> query,
        int k, IReadOnlyCollection<long> allowedIds, int ef)
    {
        var vectors = state.Vectors;
        int live = vectors.LiveCount;
        if (live == 0 || allowedIds.Count == 0)
        {
            return [];
        }

        // A set holding every live id (a caller who may read the whole collection) filters nothing: the unfiltered
        // search answers it, without an exact scan of the set or the widened, exhaustive filtered graph search.
        if (allowedIds.Count >= live && CoversEveryLive(vectors, allowedIds as IReadOnlySet<long> ?? allowedIds.ToHashSet()))
        {
            return Search(state, options, query, k, null, ef);
        }

        double directLimit = Math.Max(options.FilteredExactMaxMatches, options.FilterSelectivityThreshold * live);
        if (state.Graph is null || allowedIds.Count <= directLimit)
        {
            fixed (float* q = query)
            {
                return ExactScanner.ScanIds(vectors, q, k, allowedIds);
            }
        }

        var set = allowedIds as IReadOnlySet<long> ?? allowedIds.ToHashSet();
        return Search(state, options, query, k, set.Contains, ef);
    }

    /// <summary>Whether every live id is in <paramref name="set"/>; one pass over the slots, and none when the set is smaller than the live count.</summary>
    private static bool CoversEveryLive(VectorCollection vectors, IReadOnlySet<long> set)
    {
        if (set.Count < vectors.LiveCount)
        {
            return false;
        }

        var slots = vectors.SlotCount;
        for (var slot = 0; slot < slots; slot++)
        {
            if (vectors.IsLive(slot) && !set.Contains(vectors.IdAt(slot)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Candidates a search over int8 codes re-scores with the float vectors.</summary>
    private static int Rescored(VectorIndexOptions options, int k) => (int)Math.Min((long)options.RescoreFactor * k, int.MaxValue);
}
