

namespace RagService.Vectors.Hnsw.Bench;

/// <summary>
/// Memory of our index, in MiB: anonymous RSS growth over the build (managed heap and native memory: what the index
/// holds), file-backed RSS growth over the build, and file-backed RSS after the searches (an int8 index's mapped float
/// vectors that re-scoring and exact scans paged in; the kernel may drop them again).
/// </summary>
internal sealed record IndexMemory(double AnonDeltaMiB, double FileDeltaAfterBuildMiB, double FileDeltaAfterSearchMiB);

/// <summary>Prints the side-by-side markdown tables (ours vs the anchor) with ratios.</summary>
internal static class Report
{
    /// <summary>One summary row per run, so that runs of the two quantisations (separate processes) line up in one table.</summary>
    public static void PrintMemory(TextWriter w, AnchorResult ours, IndexMemory memory, double managedMiB)
    {
        w.WriteLine();
        w.WriteLine("| index | build s (wall) | build CPU s | index RSS MiB (anonymous: heap + native) | managed delta MiB | mapped float pages MiB after search | per ef: recall@k / QPS |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        w.WriteLine($"| {ours.Lib} | {ours.BuildSeconds:F1} | {ours.BuildCpuSeconds:F1} | {memory.AnonDeltaMiB:F0} | {managedMiB:F0} | {memory.FileDeltaAfterSearchMiB:F0} | " +
                    string.Join("; ", ours.Runs.Select(r => $"ef {r.Ef}: {r.Recall:F4} / {r.Qps:F0}")) + " |");
    }

    public static void Print(TextWriter w, DataSet data, BenchOptions o, AnchorResult ours, double managedMiB, long storageBytes,
        AnchorResult? anchor, SearchRun? exact)
    {
        w.WriteLine($"\nData: {o.DataDir}  N={data.Count} D={data.Dim} Q={data.QueryCount}  M={o.M} efConstruction={o.EfConstruction} " +
                       $"build threads={o.BuildThreads}, search threads=1, k={o.K}; load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}\n");
        w.WriteLine("| library | build s (wall) | build CPU s | RSS delta MiB | managed delta MiB |");
        w.WriteLine("|---|---:|---:|---:|---:|");
        w.WriteLine($"| {ours.Lib} | {ours.BuildSeconds:F1} | {ours.BuildCpuSeconds:F1} | {ours.RssDeltaMiB:F0} | {managedMiB:F0} (storage {storageBytes / 1048576.0:F0}) |");
        if (anchor is not null)
        {
            w.WriteLine($"| {anchor.Lib} | {anchor.BuildSeconds:F1} | {anchor.BuildCpuSeconds:F1} | {anchor.RssDeltaMiB:F0} | n/a |");
            w.WriteLine($"| ratio ours/{anchor.Lib} | {ours.BuildSeconds / anchor.BuildSeconds:F2} | {ours.BuildCpuSeconds / anchor.BuildCpuSeconds:F2} | {ours.RssDeltaMiB / anchor.RssDeltaMiB:F2} | |");
        }
        w.WriteLine();
        if (anchor is null)
        {
            w.WriteLine($"| ef_search | ours recall@{o.K} | ours QPS | ours QPS (CPU) |");
            w.WriteLine("|---:|---:|---:|---:|");
            foreach (var r in ours.Runs)
            {
                w.WriteLine($"| {r.Ef} | {r.Recall:F4} | {r.Qps:F0} | {r.QpsCpu:F0} |");
            }
        }
        else
        {
            w.WriteLine($"| ef_search | ours recall@{o.K} | ours QPS | ours QPS (CPU) | hnswlib recall@{o.K} | hnswlib QPS | hnswlib QPS (CPU) | QPS ratio (wall) | QPS ratio (CPU) |");
            w.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var r in ours.Runs)
            {
                var a = anchor.Runs.FirstOrDefault(x => x.Ef == r.Ef);
                if (a is null) { w.WriteLine($"| {r.Ef} | {r.Recall:F4} | {r.Qps:F0} | {r.QpsCpu:F0} | | | | | |"); continue; }
                w.WriteLine($"| {r.Ef} | {r.Recall:F4} | {r.Qps:F0} | {r.QpsCpu:F0} | {a.Recall:F4} | {a.Qps:F0} | {a.QpsCpu:F0} | {r.Qps / a.Qps:F2} | {r.QpsCpu / a.QpsCpu:F2} |");
            }
        }
        if (exact is null)
        {
            return;
        }

        w.WriteLine($"\nExact search (ExactIndex, 1 thread, {Math.Min(o.ExactQueries, data.QueryCount)} queries): recall@{o.K}={exact.Recall:F4}, QPS={exact.Qps:F1}, QPS (CPU)={exact.QpsCpu:F1}");
    }
}
