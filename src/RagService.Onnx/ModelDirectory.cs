using System.Text.Json;
using RagService.Onnx.Embeddings;

namespace RagService.Onnx;

/// <summary>
/// What a Hugging Face / sentence-transformers model directory says about itself: the ONNX file, the pooling
/// (1_Pooling/config.json), and the position limit (config.json).
/// </summary>
internal sealed class ModelDirectory
{
    private static readonly string[] ModelFileCandidates = ["model.onnx", "onnx/model.onnx"];

    private ModelDirectory(string path, string modelFile)
    {
        Path = path;
        ModelFile = modelFile;
    }

    public string Path { get; }

    public string ModelFile { get; }

    public string Name => new DirectoryInfo(Path).Name;

    public static ModelDirectory Open(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Model directory not found: {path}");
        }

        var file = ModelFileCandidates.Select(c => System.IO.Path.Combine(path, c)).FirstOrDefault(File.Exists)
            ?? Directory.EnumerateFiles(path, "*.onnx").Order(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new FileNotFoundException($"No ONNX model in {path}: expected model.onnx or onnx/model.onnx.");
        return new ModelDirectory(path, file);
    }

    /// <summary>Pooling declared by sentence-transformers' 1_Pooling/config.json, if present.</summary>
    public PoolingMode? DeclaredPooling()
    {
        var config = ReadJson("1_Pooling/config.json");
        if (config is not { } c)
        {
            return null;
        }

        if (IsTrue(c, "pooling_mode_cls_token"))
        {
            return PoolingMode.Cls;
        }

        return IsTrue(c, "pooling_mode_mean_tokens") ? PoolingMode.Mean : null;
    }

    /// <summary>Usable positions from config.json; RoBERTa-style models reserve two for the padding offset.</summary>
    public int? PositionLimit()
    {
        if (ReadJson("config.json") is not { } c || !c.TryGetProperty("max_position_embeddings", out var m) || !m.TryGetInt32(out var max))
        {
            return null;
        }

        var type = c.TryGetProperty("model_type", out var t) ? t.GetString() ?? "" : "";
        return type.Contains("roberta", StringComparison.OrdinalIgnoreCase) ? max - 2 : max;
    }

    private JsonElement? ReadJson(string relative)
    {
        var file = System.IO.Path.Combine(Path, relative);
        if (!File.Exists(file))
        {
            return null;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.Clone();
    }

    private static bool IsTrue(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
