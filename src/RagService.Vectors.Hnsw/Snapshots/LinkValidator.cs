using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw.Snapshots;

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

    /// <summary>
    /// Duplicate groups must be chains that start at a graph node and pass through slots with no links of their own,
    /// each slot in at most one chain, so that following them always ends.
    /// </summary>
    public static void CheckDuplicateGroups(HnswGraph graph, int[]?[] upper, int[] nextDuplicate, int entryNode)
    {
        int slots = nextDuplicate.Length;
        var isMember = new bool[slots];
        for (int n = 0; n < slots; n++)
        {
            int next = nextDuplicate[n];
            if (next == -1)
            {
                continue;
            }

            if ((uint)next >= (uint)slots || next == n || isMember[next])
            {
                throw new InvalidDataException("duplicate group link out of range or shared");
            }

            isMember[next] = true;
        }

        int chained = 0;
        for (int n = 0; n < slots; n++)
        {
            if (isMember[n])
            {
                if (n == entryNode || upper[n] is not null || graph.Level0Record(n)[0] != 0)
                {
                    throw new InvalidDataException($"duplicate group member {n} is a graph node");
                }

                continue;
            }

            for (int m = nextDuplicate[n]; m >= 0 && chained < slots; m = nextDuplicate[m])
            {
                chained++;
            }
        }

        if (chained != isMember.Count(x => x))
        {
            throw new InvalidDataException("duplicate group chain forms a cycle");
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
