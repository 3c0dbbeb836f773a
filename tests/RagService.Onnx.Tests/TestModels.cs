using System.Diagnostics;
using System.Text.Json;

namespace RagService.Onnx.Tests;

/// <summary>
/// Builds the test models once per test run with Models/make_test_models.py (Debian python3-onnx) into a temp
/// directory, and recomputes their outputs in C# from the same weights.
/// </summary>
public static class TestModels
{
    public const int Vocab = 128;
    public const int Hidden = 16;
    public const int Out = 12;

    private static readonly Lazy<string> s_directory = new(Build);
    private static readonly Lazy<Dictionary<string, float[]>> s_weights = new(LoadWeights);

    public static string Directory => s_directory.Value;

    public static string Encoder => Path.Combine(Directory, "encoder.onnx");
    public static string EncoderWithoutTypes => Path.Combine(Directory, "encoder_notype.onnx");
    public static string CrossEncoder => Path.Combine(Directory, "cross_encoder.onnx");
    public static string LargeEncoder => Path.Combine(Directory, "large_encoder.onnx");

    private static string Build()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ragservice-onnx-tests-" + Guid.NewGuid().ToString("N")[..8]);
        var script = Path.Combine(AppContext.BaseDirectory, "Models", "make_test_models.py");
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var psi = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dir);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start python3");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"make_test_models.py failed (run deploy/setup.sh to install python3-onnx and python3-numpy): {stderr.Result}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { System.IO.Directory.Delete(dir, recursive: true); } catch (IOException) { }
        };
        return dir;
    }

    private static Dictionary<string, float[]> LoadWeights()
    {
        var result = new Dictionary<string, float[]>();
        foreach (var name in new[] { "E", "T", "P", "W", "V" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(Directory, name + ".bin"));
            var values = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
            result[name] = values;
        }

        var shapes = JsonSerializer.Deserialize<Dictionary<string, int[]>>(File.ReadAllText(Path.Combine(Directory, "shapes.json")))!;
        Assert.Equal([Vocab, Hidden], shapes["E"]);
        Assert.Equal([Hidden, Out], shapes["W"]);
        return result;
    }

    /// <summary>Reference hidden states [seq, Out] for one sequence: tanh((E[id] + T[type] + P[pos]) @ W) * mask.</summary>
    public static float[][] ReferenceHidden(long[] ids, long[]? types, long[] mask)
    {
        var w = s_weights.Value;
        var rows = new float[ids.Length][];
        for (var pos = 0; pos < ids.Length; pos++)
        {
            var x = new double[Hidden];
            for (var j = 0; j < Hidden; j++)
            {
                x[j] = w["E"][ids[pos] * Hidden + j] + w["P"][pos * Hidden + j] + (types is null ? 0 : w["T"][types[pos] * Hidden + j]);
            }

            rows[pos] = new float[Out];
            for (var k = 0; k < Out; k++)
            {
                double sum = 0;
                for (var j = 0; j < Hidden; j++)
                {
                    sum += x[j] * w["W"][j * Out + k];
                }

                rows[pos][k] = (float)(Math.Tanh(sum) * mask[pos]);
            }
        }

        return rows;
    }

    /// <summary>Reference cross-encoder logit: the sum of the hidden states over the sequence, times V.</summary>
    public static float ReferenceLogit(long[] ids, long[] types)
    {
        var hidden = ReferenceHidden(ids, types, Enumerable.Repeat(1L, ids.Length).ToArray());
        var v = s_weights.Value["V"];
        double sum = 0;
        foreach (var row in hidden)
        {
            for (var k = 0; k < Out; k++)
            {
                sum += row[k] * v[k];
            }
        }

        return (float)sum;
    }
}
