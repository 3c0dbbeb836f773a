using RagService.Core.Vectors;

namespace RagService.Vectors.Hnsw.Bench;

/// <summary>One ef setting's measurement: recall and single-thread QPS by wall and thread CPU time.</summary>
internal sealed record SearchRun(int Ef, double Recall, double Qps, double QpsCpu, int Runs);

/// <summary>Times all queries in one loop, as bench.py does: warm-up, then at least N runs until they add up to a minimum time; median.</summary>
internal static class SearchTiming
{
    private const int MaxRuns = 50;

    public static SearchRun Measure(INeighbourIndex index, DataSet data, int queries, int k, int? ef, int repeats, double minSeconds)
    {
        var found = new long[queries][];
        RunAll(index, data, Math.Min(10, queries), k, ef, found);
        RunAll(index, data, queries, k, ef, found);
        double recall = data.Recall(found, k, queries);
        var wall = new List<double>();
        var cpu = new List<double>();
        while (wall.Count < repeats || (wall.Sum() < minSeconds && wall.Count < MaxRuns))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            double c0 = Clocks.ThreadCpuSeconds();
            RunAll(index, data, queries, k, ef, found);
            cpu.Add(Clocks.ThreadCpuSeconds() - c0);
            wall.Add(sw.Elapsed.TotalSeconds);
        }
        return new SearchRun(ef ?? 0, recall, queries / Median(wall), queries / Median(cpu), wall.Count);
    }

    private static void RunAll(INeighbourIndex index, DataSet data, int queries, int k, int? ef, long[][] found)
    {
        for (int qi = 0; qi < queries; qi++)
        {
            var hits = index.Search(data.Query(qi), k, null, ef);
            var ids = new long[hits.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = hits[i].Id;
            }

            found[qi] = ids;
        }
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
