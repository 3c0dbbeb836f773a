using System.Diagnostics;

namespace RagService.Onnx.Bench;

/// <summary>A benchmark model: how to build it with make_bert_like_onnx.py and how to feed it.</summary>
internal sealed record BenchModel(string Name, string ToolArguments, int Vocab, bool WithTypes, int Batch, int Sequence, string Unit);

/// <summary>Generates the random-weight models once (they are cached in the work directory).</summary>
internal static class BenchModels
{
    public static readonly BenchModel BertBase = new("bert-base (L12 H768)", "--layers 12 --hidden 768 --heads 12 --vocab 21128", 21128, true, 32, 128, "seq/s");
    public static readonly BenchModel MiniLm = new("MiniLM (L6 H384)", "--layers 6 --hidden 384 --heads 12 --vocab 21128", 21128, true, 32, 128, "seq/s");
    /// <summary>The real weights deploy/setup.sh extracts (ToolArguments empty: nothing to generate).</summary>
    public static readonly BenchModel RealMiniLm = new("all-MiniLM-L6-v2 (real weights)", "", 30522, true, 32, 128, "seq/s");
    public static readonly BenchModel Tiny = new("tiny (gather*mask, H16)", "--tiny --hidden 16 --vocab 1000", 1000, false, 1, 8, "calls/s");

    public static string Ensure(BenchModel model, string workDirectory, string tool, string repositoryRoot)
    {
        if (model.ToolArguments.Length == 0)
        {
            var real = Path.Combine(repositoryRoot, ".models", "all-MiniLM-L6-v2", "model.onnx");
            return File.Exists(real) ? real : throw new FileNotFoundException($"{real} is missing; run deploy/setup.sh first.");
        }

        var file = Path.Combine(workDirectory, model.Name.Split(' ')[0] + ".onnx");
        if (File.Exists(file))
        {
            return file;
        }

        Directory.CreateDirectory(workDirectory);
        Console.WriteLine($"generating {file} ...");
        var psi = new ProcessStartInfo("/usr/bin/python3", $"\"{tool}\" {model.ToolArguments} --no-check --out \"{file}.tmp\"");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start python3");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"make_bert_like_onnx.py failed for {model.Name} (needs python3-onnx, python3-numpy: deploy/setup.sh)");
        }

        File.Move(file + ".tmp", file);
        return file;
    }
}
