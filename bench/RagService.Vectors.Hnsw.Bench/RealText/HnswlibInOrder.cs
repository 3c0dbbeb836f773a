using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace RagService.Vectors.Hnsw.Bench.RealText;

/// <summary>One hnswlib build of the real-text run: recall and QPS per k.</summary>
internal sealed record HnswlibBuild(int Threads, double BuildSeconds, Dictionary<int, double> Recall, Dictionary<int, double> Qps);

/// <summary>Runs bench/hnswlib_in_order.py on the same vectors, inserted in the same order, with the same ground truth.</summary>
internal static class HnswlibInOrder
{
    public static IReadOnlyList<HnswlibBuild> Run(RealTextOptions o, float[][] chunks, float[][] queries, long[][] truth, Dictionary<int, int> efByK)
    {
        string dir = Directory.CreateTempSubdirectory("hnswlib-in-order-").FullName;
        try
        {
            WriteVecs(Path.Combine(dir, "base.fvecs"), chunks.Select(v => v.Select(x => BitConverter.SingleToInt32Bits(x)).ToArray()));
            WriteVecs(Path.Combine(dir, "query.fvecs"), queries.Select(v => v.Select(x => BitConverter.SingleToInt32Bits(x)).ToArray()));
            WriteVecs(Path.Combine(dir, "groundtruth.ivecs"), truth.Select(t => t.Select(id => (int)id).ToArray()));
            string script = Path.Combine(AppContext.BaseDirectory, "hnswlib_in_order.py");
            var psi = new ProcessStartInfo("/usr/bin/python3")
            {
                ArgumentList = { script, dir, "--threads", string.Join(',', o.Threads), "--M", o.M.ToString(CultureInfo.InvariantCulture),
                    "--ef-construction", o.EfConstruction.ToString(CultureInfo.InvariantCulture),
                    "--k-ef", string.Join(',', efByK.Select(kv => $"{kv.Key}:{kv.Value}")) },
                RedirectStandardOutput = true,
            };
            using var p = Process.Start(psi)!;
            string json = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                throw new InvalidOperationException($"hnswlib_in_order.py exited with {p.ExitCode}");
            }

            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateArray().Select(b => new HnswlibBuild(
                b.GetProperty("threads").GetInt32(), b.GetProperty("build_seconds").GetDouble(),
                b.GetProperty("recall").EnumerateObject().ToDictionary(x => int.Parse(x.Name, CultureInfo.InvariantCulture), x => x.Value.GetDouble()),
                b.GetProperty("qps").EnumerateObject().ToDictionary(x => int.Parse(x.Name, CultureInfo.InvariantCulture), x => x.Value.GetDouble()))).ToList();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>.fvecs / .ivecs rows: int32 dimension, then the row's 32-bit values.</summary>
    internal static void WriteVecs(string path, IEnumerable<int[]> rows)
    {
        using var writer = new BinaryWriter(File.Create(path));
        foreach (var row in rows)
        {
            writer.Write(row.Length);
            foreach (int x in row)
            {
                writer.Write(x);
            }
        }
    }
}
