
namespace RagService.Vectors.Hnsw.Internal;

/// <summary>Brute-force top-k by inner product over live slots or over a given id set.</summary>
internal static unsafe class ExactScanner
{
    // An update published during the scan can leave both its old and its new slot live when each is visited; the
    // heap keeps this many more than k so that dropping such a duplicate still leaves k distinct ids.
    private const int UpdateSlack = 8;

    public static List<NeighbourHit> ScanAll(VectorCollection vectors, float* query, int k, Func<long, bool>? filter)
    {
        var heap = SearchScratch.Current.Results;
        heap.Clear();
        int kept = k + UpdateSlack;
        int slots = vectors.SlotCount;
        int dim = vectors.Dimension;
        for (int s = 0; s < slots; s++)
        {
            if (!vectors.IsLive(s))
            {
                continue;
            }

            if (filter is not null && !filter(vectors.IdAt(s)))
            {
                continue;
            }

            Offer(heap, kept, VectorMath.Dot(query, vectors.Vector(s), dim), s);
        }
        return HitList.FromDistinct(vectors, heap, k);
    }

    public static List<NeighbourHit> ScanIds(VectorCollection vectors, float* query, int k, IEnumerable<long> ids)
    {
        var heap = SearchScratch.Current.Results;
        heap.Clear();
        int dim = vectors.Dimension;
        var seen = new HashSet<int>();
        foreach (long id in ids)
        {
            if (!vectors.TryGetSlot(id, out int s) || !vectors.IsLive(s) || !seen.Add(s))
            {
                continue;
            }

            Offer(heap, k, VectorMath.Dot(query, vectors.Vector(s), dim), s);
        }
        return HitList.From(vectors, heap);
    }

    private static void Offer(ScoreHeap heap, int k, float score, int slot)
    {
        if (heap.Count < k)
        {
            heap.Push(score, slot);
        }
        else if (score > heap.TopScore)
        {
            heap.Pop();
            heap.Push(score, slot);
        }
    }
}
