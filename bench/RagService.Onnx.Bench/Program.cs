using System.Diagnostics;
using System.Globalization;
using RagService.Onnx.Bench;
using RagService.Onnx.Runtime;

// ONNX Runtime throughput: the service's path (Microsoft.ML.OnnxRuntime through OnnxSession) vs onnxruntime-node
// (npm, installed for this benchmark only by bench/onnx-throughput.sh), same models, inputs and ORT settings (2 intra-op threads, 1 inter-op, all graph optimizations, sequential),
// measured in interleaved rounds because the machine may be shared.
//
// Usage: dotnet run -c Release --project bench/RagService.Onnx.Bench -- [--rounds N] [--threads 2] [--no-spin] [--tiny-seconds S] [--only tiny|minilm|all-minilm|bert]
//        [--work DIR] [--tool make_bert_like_onnx.py]
var arguments = args.ToList();
string Option(string name, string fallback)
{
    var i = arguments.IndexOf(name);
    return i >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : fallback;
}

var root = FindRepositoryRoot();
var Threads = int.Parse(Option("--threads", "2"), CultureInfo.InvariantCulture);
var noSpin = arguments.Contains("--no-spin");
var rounds = int.Parse(Option("--rounds", "3"), CultureInfo.InvariantCulture);
var tinySeconds = double.Parse(Option("--tiny-seconds", "2"), CultureInfo.InvariantCulture);
var only = Option("--only", "");
var work = Option("--work", Path.Combine(Path.GetTempPath(), "ragservice-onnx-bench"));
var tool = Option("--tool", Path.GetFullPath(Path.Combine(root, "..", "shared", "tools", "make_bert_like_onnx.py")));
var nodeScript = Path.Combine(root, "bench", "ort-node-bench.js");

Console.WriteLine($"ONNX Runtime {Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString()} (Microsoft.ML.OnnxRuntime) vs onnxruntime-node; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
Console.WriteLine($"settings: intra-op {Threads} threads, inter-op 1, graph optimization all, sequential{(noSpin ? ", no spinning" : "")}; {rounds} interleaved rounds");
Console.WriteLine();

var specs = new[] { BenchModels.Tiny, BenchModels.MiniLm, BenchModels.RealMiniLm, BenchModels.BertBase }
    .Where(s => only.Length == 0 || s.Name.StartsWith(only, StringComparison.OrdinalIgnoreCase)).ToArray();
var summary = new List<string>();
foreach (var spec in specs)
{
    var model = BenchModels.Ensure(spec, work, tool, root);
    using var session = OnnxSession.Open(model, new SessionSettings
    {
        IntraOpThreads = Threads,
        InterOpThreads = 1,
        Optimization = GraphOptimization.All,
        ConfigEntries = noSpin ? new Dictionary<string, string> { ["session.intra_op.allow_spinning"] = "0" } : new Dictionary<string, string>(),
    });
    using var node = new NodeRunner(nodeScript, model, spec, Threads, noSpin);
    var ours = new OursRunner(session, spec);
    var isTiny = spec.Unit == "calls/s";
    var request = isTiny
        ? $"{{\"seconds\": {tinySeconds.ToString(CultureInfo.InvariantCulture)}}}"
        : $"{{\"iterations\": {(spec == BenchModels.BertBase ? 1 : 3)}}}";
    Func<Measurement> runOurs = isTiny ? () => ours.ForSeconds(tinySeconds) : () => ours.Iterations(spec == BenchModels.BertBase ? 1 : 3);

    // Warm-up both sides (first runs allocate arenas and memory patterns).
    runOurs();
    node.Run(request);
    Measurement totalOurs = default, totalNode = default;
    var roundRatios = new List<double>();
    Console.WriteLine($"{spec.Name}: batch {spec.Batch}, sequence {spec.Sequence}");
    for (var round = 1; round <= rounds; round++)
    {
        // Alternate who goes first so drifting background load hits both sides alike.
        Measurement o, n;
        if (round % 2 == 1)
        {
            o = runOurs();
            n = node.Run(request);
        }
        else
        {
            n = node.Run(request);
            o = runOurs();
        }

        roundRatios.Add(o.PerWallSecond(1) / n.PerWallSecond(1));
        totalOurs = totalOurs.Add(o);
        totalNode = totalNode.Add(n);
        var items = isTiny ? 1 : spec.Batch;
        Console.WriteLine($"  round {round}: ours {o.PerWallSecond(items),9:F1} {spec.Unit} ({o.PerCpuSecond(items),9:F1}/cpu-s)   " +
                          $"node {n.PerWallSecond(items),9:F1} {spec.Unit} ({n.PerCpuSecond(items),9:F1}/cpu-s)");
    }

    var per = isTiny ? 1 : spec.Batch;
    var wallRatio = totalOurs.PerWallSecond(per) / totalNode.PerWallSecond(per);
    var cpuRatio = totalOurs.PerCpuSecond(per) / totalNode.PerCpuSecond(per);
    var line = $"{spec.Name} b{spec.Batch} s{spec.Sequence}: ours {totalOurs.PerWallSecond(per):F1} {spec.Unit}, node {totalNode.PerWallSecond(per):F1} {spec.Unit}; " +
               $"ours/node wall {wallRatio:F2} (median round {Median(roundRatios):F2}), per cpu-second {cpuRatio:F2} (node {node.Version})";
    Console.WriteLine("  total " + line);
    Console.WriteLine();
    summary.Add(line);
}

Console.WriteLine("summary");
summary.ForEach(s => Console.WriteLine("  " + s));
Console.WriteLine($"load average at end: {LoadAverage()}");

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
