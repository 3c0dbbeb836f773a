using RagService.VectorIndex.Internal;

namespace RagService.VectorIndex.Snapshots;

/// <summary>Rejects loaded link records whose counts or node ids are out of range, so a bad file cannot crash a search.</summary>
internal static class LinkValidator
{
    public static void Check(HnswGraph graph, int[]?[] upper, int slots)
    {
        int m0 = graph.Capacity(0);
        for (int n = 0; n < slots; n++)
        {
            CheckRecord(graph.Level0Record(n), m0, slots);
            if (upper[n] is not { } links)
            {
                continue;
            }

            for (int offset = 0; offset < links.Length; offset += graph.M + 1)
            {
                CheckRecord(links.AsSpan(offset, graph.M + 1), graph.M, slots);
            }
        }
    }

    private static void CheckRecord(ReadOnlySpan<int> record, int capacity, int slots)
    {
        int count = record[0];
        if (count < 0 || count > capacity)
        {
            throw new InvalidDataException("link count out of range");
        }

        foreach (int node in record.Slice(1, count))
        {
            if ((uint)node >= (uint)slots)
            {
                throw new InvalidDataException("link to a node out of range");
            }
        }
    }
}
