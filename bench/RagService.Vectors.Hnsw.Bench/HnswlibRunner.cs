using System.Diagnostics;
using System.Text.Json;

namespace RagService.Vectors.Hnsw.Bench;

/// <summary>The anchor's numbers for one library, as bench.py writes them to its JSON.</summary>
internal sealed record AnchorResult(string Lib, double BuildSeconds, double BuildCpuSeconds, double RssDeltaMiB, List<SearchRun> Runs);

/// <summary>Runs shared/anchors/ann/bench.py for hnswlib (or reads an earlier JSON) and parses the result.</summary>
internal static class HnswlibRunner
{
    public static AnchorResult Run(BenchOptions o)
    {
        string bench = Path.Combine(FindAnchors(o), "bench.py");
        string json = Path.Combine(Path.GetTempPath(), $"hnswlib_{Environment.ProcessId}.json");
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            ArgumentList = { bench, o.DataDir, "--libs", "hnswlib", "--json", json, "--ef", string.Join(',', o.Ef),
                "-k", o.K.ToString(), "--M", o.M.ToString(), "--ef-construction", o.EfConstruction.ToString(),
                "--build-threads", o.BuildThreads.ToString(), "--repeats", o.Repeats.ToString(),
                "--min-seconds", o.MinSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
        };
        Console.Error.WriteLine($"[bench] running {bench} --libs hnswlib");
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"bench.py exited with {p.ExitCode}");
        }

        try
        {
            return Parse(json, o.K);
        }
        finally
        {
            File.Delete(json);
        }
    }

    public static AnchorResult Parse(string jsonPath, int k)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var r = doc.RootElement.GetProperty("results").EnumerateArray().First(x => x.GetProperty("lib").GetString() == "hnswlib");
        var runs = r.GetProperty("runs").EnumerateArray().Select(run => new SearchRun(
            run.GetProperty("ef_search").GetInt32(), run.GetProperty($"recall@{k}").GetDouble(),
            run.GetProperty("qps").GetDouble(), run.GetProperty("qps_cpu").GetDouble(),
            run.GetProperty("wall_seconds").GetArrayLength())).ToList();
        return new AnchorResult("hnswlib", r.GetProperty("build_seconds").GetDouble(), r.GetProperty("build_cpu_seconds").GetDouble(),
            r.GetProperty("rss_delta_mib").GetDouble(), runs);
    }

    private static string FindAnchors(BenchOptions o)
    {
        if (o.AnchorsDir is not null)
        {
            return o.AnchorsDir;
        }

        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "anchors", "ann");
            if (File.Exists(Path.Combine(candidate, "bench.py")))
            {
                return candidate;
            }
        }
        return "/work/shared/anchors/ann";
    }
}
