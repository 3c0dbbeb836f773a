using System.Diagnostics;
using RagService.Vectors.Hnsw;
using RagService.Vectors.Hnsw.Bench;

System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "real-text")
{
    try
    {
        return RagService.Vectors.Hnsw.Bench.RealText.RealTextBench.Run(RagService.Vectors.Hnsw.Bench.RealText.RealTextOptions.Parse(args[1..]));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}

if (args.Length > 0 && args[0] == "duplicates")
{
    try
    {
        return RagService.Vectors.Hnsw.Bench.Duplicates.DuplicatesBench.Run(RagService.Vectors.Hnsw.Bench.Duplicates.DuplicatesOptions.Parse(args[1..]));
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}

BenchOptions o;
try
{
    o = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
Console.Error.WriteLine($"[bench] loading {o.DataDir}");
var data = DataSet.Load(o.DataDir);
Console.Error.WriteLine($"[bench] N={data.Count} D={data.Dim} Q={data.QueryCount}; Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");

var options = new VectorIndexOptions
{
    M = o.M, EfConstruction = o.EfConstruction, ExactSearchThreshold = 0, AutoCompactDeletedRatio = 0,
    Quantization = o.Quantization, RescoreFactor = o.RescoreFactor, FloatVectorDirectory = o.FloatDir,
};
double managed0 = Memory.ManagedMiB();
double rss0 = Memory.RssMiB(), anon0 = Memory.RssAnonMiB(), file0 = Memory.RssFileMiB();
double cpu0 = Clocks.ProcessCpuSeconds();
var sw = Stopwatch.StartNew();
NeighbourIndex index;
if (o.IndexCache is not null && File.Exists(o.IndexCache))
{
    var cached = RagService.Vectors.Hnsw.Snapshots.VectorIndexSnapshot.TryLoad(o.IndexCache, data.Count, data.Dim, options: options);
    index = cached.Index ?? throw new InvalidOperationException($"{o.IndexCache}: {cached.Status} {cached.Detail}");
    Console.Error.WriteLine($"[bench] loaded our index from {o.IndexCache}: build time below is the load time");
}
else
{
    index = new HnswIndex(data.Dim, options);
    index.UpsertMany(data.Count, i => i, i => data.BaseRow(i), o.BuildThreads);
}
double buildSeconds = sw.Elapsed.TotalSeconds, buildCpu = Clocks.ProcessCpuSeconds() - cpu0;
double managed1 = Memory.ManagedMiB();
double rss1 = Memory.RssMiB(), anon1 = Memory.RssAnonMiB(), file1 = Memory.RssFileMiB();
if (index is HnswIndex built)
{
    var health = built.CheckGraph();
    Console.Error.WriteLine($"[bench] ours: graph check: {health.UnreachableLiveNodes} unreachable of {health.LiveNodes} live nodes; " +
        string.Join(", ", health.Levels.Select(l => $"level {l.Level}: {l.Nodes} nodes, {l.InDegreeZero} in-degree 0, {l.Unreachable} unreachable")));
}
string ourName = o.Quantization == VectorQuantization.Int8 ? $"RagService HNSW int8 (re-score {o.RescoreFactor}·k)" : "RagService HNSW float32";
var ours = new AnchorResult(ourName, buildSeconds, buildCpu, rss1 - rss0, []);
if (o.IndexCache is not null && !File.Exists(o.IndexCache))
{
    index.SaveSnapshot(o.IndexCache, data.Count);
}

Console.Error.WriteLine($"[bench] ours: built in {buildSeconds:F1} s (CPU {buildCpu:F1} s), RSS +{rss1 - rss0:F0} MiB " +
    $"(anonymous +{anon1 - anon0:F0}, file-backed +{file1 - file0:F0}), managed +{managed1 - managed0:F0} MiB");

foreach (int ef in o.Ef)
{
    var run = SearchTiming.Measure(index, data, data.QueryCount, o.K, ef, o.Repeats, o.MinSeconds);
    ours.Runs.Add(run);
    Console.Error.WriteLine($"[bench] ours: ef={ef} recall@{o.K}={run.Recall:F4} qps={run.Qps:F0} qps_cpu={run.QpsCpu:F0} load={LoadAverage()}");
}

SearchRun? exact = null;
if (o.ExactQueries > 0)
{
    using var flat = new ExactIndex(data.Dim, options);
    flat.UpsertMany(data.Count, i => i, i => data.BaseRow(i), o.BuildThreads);
    exact = SearchTiming.Measure(flat, data, Math.Min(o.ExactQueries, data.QueryCount), o.K, null, 1, 0);
    Console.Error.WriteLine($"[bench] exact: recall@{o.K}={exact.Recall:F4} qps={exact.Qps:F1} qps_cpu={exact.QpsCpu:F1}");
}

var memory = new IndexMemory(anon1 - anon0, file1 - file0, Memory.RssFileMiB() - file0);
AnchorResult? anchor = o.HnswlibJson is not null ? HnswlibRunner.Parse(o.HnswlibJson, o.K)
    : o.RunHnswlib ? HnswlibRunner.Run(o) : null;
Report.Print(Console.Out, data, o, ours, managed1 - managed0, index.StorageBytes, anchor, exact);
Report.PrintMemory(Console.Out, ours, memory, managed1 - managed0);
index.Dispose();
return 0;

static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
