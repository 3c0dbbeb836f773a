using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RagService.Vectors.Hnsw.Bench.RealText;

namespace RagService.Vectors.Hnsw.Bench.Duplicates;

/// <summary>
/// HNSW over many identical or near-identical vectors (boilerplate chunks: footers, disclaimers, empty table cells):
/// the degenerate case where every distance among the copies is 0 and the neighbour heuristic and greedy search see
/// only ties. Per data set and build thread count: build time, unreachable live nodes (graph check), and tie-aware
/// recall (<see cref="TieAwareRecall"/>) at the default ef for random queries and for a query equal to the copied
/// vector; the same for hnswlib on the same vectors in the same order.
/// </summary>
internal static class DuplicatesBench
{
    private static readonly VectorIndexOptions Defaults = new();

    public static int Run(DuplicatesOptions o)
    {
        var sets = new List<DuplicateData>
        {
            DuplicateData.Create($"{o.Duplicates} identical among {o.Random} random", o.Dimension, o.Random, o.Duplicates, 0, o.Queries, o.Seed),
        };
        if (o.AllIdentical > 0)
        {
            sets.Add(DuplicateData.Create($"{o.AllIdentical} identical, nothing else", o.Dimension, 0, o.AllIdentical, 0, o.Queries, o.Seed));
        }

        sets.AddRange(o.NearDistances.Select(d => DuplicateData.Create(
            $"{o.Duplicates} at distance {d.ToString("G2", CultureInfo.InvariantCulture)} among {o.Random} random",
            o.Dimension, o.Random, o.Duplicates, d, o.Queries, o.Seed)));

        Console.WriteLine($"\n## duplicates: D={o.Dimension}, M={o.M} efConstruction={o.EfConstruction}, default ef = max({Defaults.EfSearch}, " +
            $"{Defaults.EfSearchPerResult}·k), {o.Queries} random queries; load average {LoadAverage()}\n");
        string kColumns = string.Join(" | ", o.Ks.Select(k => $"recall@{k} random | recall@{k} copied vector"));
        Console.WriteLine($"| data | library | build threads | build s (wall) | build CPU s | unreachable live | grouped | {kColumns} |");
        Console.WriteLine($"|---|---|---:|---:|---:|---:|---:|{string.Concat(o.Ks.Select(_ => "---:|---:|"))}");
        using (Build(o, sets[0], 1))
        {
            // warm-up: the first build would otherwise carry the JIT's time
        }

        foreach (var data in sets)
        {
            var oracle = new TieAwareRecall(data.Vectors);
            foreach (int threads in o.Threads)
            {
                double cpu0 = Clocks.ProcessCpuSeconds();
                var sw = Stopwatch.StartNew();
                using var index = Build(o, data, threads);
                double seconds = sw.Elapsed.TotalSeconds, cpu = Clocks.ProcessCpuSeconds() - cpu0;
                var health = index.CheckGraph();
                var recalls = o.Ks.Select(k => (
                    Random: data.Queries.Average(q => oracle.Of(q, index.Search(q, k).Select(h => h.Id), k)),
                    Copied: oracle.Of(data.Duplicated, index.Search(data.Duplicated, k).Select(h => h.Id), k)));
                Console.WriteLine($"| {data.Name} | RagService HNSW | {threads} | {seconds:F2} | {cpu:F2} | {health.UnreachableLiveNodes} | {health.DuplicateGroupMembers} | " +
                    string.Join(" | ", recalls.Select(r => $"{r.Random:F4} | {r.Copied:F4}")) + " |");
            }

            if (o.RunHnswlib)
            {
                foreach (var (threads, seconds, cpu, labels) in Hnswlib(o, data))
                {
                    var recalls = o.Ks.Select(k => (
                        Random: data.Queries.Select((q, i) => oracle.Of(q, labels[k][i], k)).Average(),
                        Copied: oracle.Of(data.Duplicated, labels[k][^1], k)));
                    Console.WriteLine($"| {data.Name} | hnswlib 0.6.2 | {threads} | {seconds:F2} | {cpu:F2} | n/a | n/a | " +
                        string.Join(" | ", recalls.Select(r => $"{r.Random:F4} | {r.Copied:F4}")) + " |");
                }
            }
        }
        return 0;
    }

    private static HnswIndex Build(DuplicatesOptions o, DuplicateData data, int threads)
    {
        var index = new HnswIndex(o.Dimension, Defaults with
        {
            M = o.M, EfConstruction = o.EfConstruction, ExactSearchThreshold = 0, AutoCompactDeletedRatio = 0, BuildThreads = threads,
        });
        index.UpsertMany(data.Vectors.Length, i => i, i => data.Vectors[i], threads);
        return index;
    }

    /// <summary>hnswlib_labels.py on the same vectors; the last query row is the copied vector.</summary>
    private static List<(int Threads, double Seconds, double CpuSeconds, Dictionary<int, long[][]> Labels)> Hnswlib(DuplicatesOptions o, DuplicateData data)
    {
        string dir = Directory.CreateTempSubdirectory("hnswlib-duplicates-").FullName;
        try
        {
            static int[] Bits(float[] v) => v.Select(BitConverter.SingleToInt32Bits).ToArray();
            HnswlibInOrder.WriteVecs(Path.Combine(dir, "base.fvecs"), data.Vectors.Select(Bits));
            HnswlibInOrder.WriteVecs(Path.Combine(dir, "query.fvecs"), data.Queries.Append(data.Duplicated).Select(Bits));
            var psi = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { Path.Combine(AppContext.BaseDirectory, "hnswlib_labels.py"), dir,
                    "--threads", string.Join(',', o.Threads), "--M", o.M.ToString(CultureInfo.InvariantCulture),
                    "--ef-construction", o.EfConstruction.ToString(CultureInfo.InvariantCulture),
                    "--k-ef", string.Join(',', o.Ks.Select(k => $"{k}:{Math.Max(Defaults.EfSearch, Defaults.EfSearchPerResult * k)}")) },
                RedirectStandardOutput = true,
            };
            using var p = Process.Start(psi)!;
            string json = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"hnswlib_labels.py exited with {p.ExitCode}");
            }

            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateArray().Select(b => (
                b.GetProperty("threads").GetInt32(), b.GetProperty("build_seconds").GetDouble(), b.GetProperty("build_cpu_seconds").GetDouble(),
                b.GetProperty("labels").EnumerateObject().ToDictionary(x => int.Parse(x.Name, CultureInfo.InvariantCulture),
                    x => x.Value.EnumerateArray().Select(row => row.EnumerateArray().Select(l => l.GetInt64()).ToArray()).ToArray()))).ToList();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
