using System.Diagnostics;
using RagService.Core.Models;
using RagService.Onnx;

namespace RagService.Api.Tests;

/// <summary>
/// Model directories for the real ONNX Runtime path: the small encoder and cross-encoder graphs that
/// make_test_models.py builds with python3-onnx (deterministic weights), with a WordPiece vocab.txt of the
/// characters the tests use. Built once per test run.
/// </summary>
public static class TestModelDirectories
{
    private static readonly Lazy<(string Embedder, string Reranker)> s_dirs = new(Build);

    public static string Embedder => s_dirs.Value.Embedder;

    public static string Reranker => s_dirs.Value.Reranker;

    /// <summary>The test embedder through ONNX Runtime (sequences of 64 tokens, one thread), for test doubles that wrap it.</summary>
    public static ITextEmbedder LoadEmbedder()
    {
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = Embedder, MaxSequenceLength = 64, IntraOpThreads = 1 });
        return embedder ?? throw new InvalidOperationException($"test embedder: {status.State}: {status.Detail}");
    }

    /// <summary>Special tokens, then the characters of the test documents (the graphs have 128 ids; the rest are [UNK]).</summary>
    private static IEnumerable<string> Vocabulary() =>
        new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }
            .Concat("苹果香蕉橙子葡萄西瓜草莓柠檬红色黄色绿色紫色水果甜酸维生素营养丰富夏天冬天早餐价格便宜贵每斤元会员积分优惠外卖披萨芝士错误代码温度传感器烤箱门关紧电池手机屏幕".Distinct().Select(c => c.ToString()))
            .Take(128);

    private static (string, string) Build()
    {
        var root = Path.Combine(Path.GetTempPath(), "ragsvc-api-models-" + Guid.NewGuid().ToString("N")[..8]);
        var generated = Path.Combine(root, "generated");
        var psi = new ProcessStartInfo(File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Models", "make_test_models.py"));
        psi.ArgumentList.Add(generated);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"make_test_models.py failed (deploy/setup.sh installs python3-onnx): {stderr.Result}");
        }

        var embedder = Directory.CreateDirectory(Path.Combine(root, "test-embedder")).FullName;
        var reranker = Directory.CreateDirectory(Path.Combine(root, "test-reranker")).FullName;
        File.Copy(Path.Combine(generated, "encoder.onnx"), Path.Combine(embedder, "model.onnx"));
        File.Copy(Path.Combine(generated, "cross_encoder.onnx"), Path.Combine(reranker, "model.onnx"));
        foreach (var dir in new[] { embedder, reranker })
        {
            File.WriteAllLines(Path.Combine(dir, "vocab.txt"), Vocabulary());
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return (embedder, reranker);
    }

    /// <summary>Service arguments that turn on dense retrieval and reranking with the test models.</summary>
    public static string[] ServiceArguments() =>
    [
        $"--Rag:Embedding:ModelDirectory={Embedder}", "--Rag:Embedding:MaxSequenceLength=64", "--Rag:Embedding:IntraOpThreads=1",
        $"--Rag:Reranker:ModelDirectory={Reranker}", "--Rag:Reranker:MaxSequenceLength=64", "--Rag:Reranker:IntraOpThreads=1",
    ];
}
