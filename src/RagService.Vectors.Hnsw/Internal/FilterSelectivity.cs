namespace RagService.Vectors.Hnsw.Internal;

/// <summary>Estimates which fraction of the live vectors a filter lets through, from an evenly spread sample.</summary>
internal static class FilterSelectivity
{
    private const int SampleSize = 256;

    public static double Estimate(VectorCollection vectors, Func<long, bool> filter)
    {
        int slots = vectors.SlotCount;
        if (slots == 0)
        {
            return 0;
        }

        int step = Math.Max(1, slots / SampleSize);
        int sampled = 0, passed = 0;
        for (int s = step / 2; s < slots; s += step)
        {
            if (!vectors.IsLive(s))
            {
                continue;
            }

            sampled++;
            if (filter(vectors.IdAt(s)))
            {
                passed++;
            }
        }
        return sampled == 0 ? 0 : (double)passed / sampled;
    }
}
