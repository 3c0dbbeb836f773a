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
            throw new DirectoryNotFoundException(
                $"Model directory not found: {path}. Point ModelDirectory at a directory with model.onnx and vocab.txt or tokenizer.json " +
                "(deploy/setup.sh writes all-MiniLM-L6-v2 to .models/all-MiniLM-L6-v2).");
        }

        var file = ModelFileCandidates.Select(c => System.IO.Path.Combine(path, c)).FirstOrDefault(File.Exists)
            ?? Directory.EnumerateFiles(path, "*.onnx").Order(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new FileNotFoundException($"No ONNX model in {path}: expected model.onnx or onnx/model.onnx; copy the model's ONNX export there.");
        return new ModelDirectory(path, file);
    }

    /// <summary>
    /// Pooling declared by sentence-transformers' 1_Pooling/config.json, if present. A mode this embedder cannot
    /// reproduce (max, mean-sqrt-len, last token, weighted mean) is an error rather than a silent change of vectors.
    /// </summary>
    public PoolingMode? DeclaredPooling()
    {
        const string file = "1_Pooling/config.json";
        if (ReadJson(file) is not { } c)
        {
            return null;
        }

        var unsupported = new[] { "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken" }
            .Where(mode => IsTrue(c, mode)).ToArray();
        if (unsupported.Length > 0)
        {
            throw new NotSupportedException(
                $"{System.IO.Path.Combine(Path, file)} asks for {string.Join(", ", unsupported)}; only cls and mean pooling are supported " +
                "(set Pooling to cls or mean to override, knowing the vectors will differ from sentence-transformers').");
        }

        if (IsTrue(c, "pooling_mode_cls_token"))
        {
            return PoolingMode.Cls;
        }

        return IsTrue(c, "pooling_mode_mean_tokens") ? PoolingMode.Mean : null;
    }

    /// <summary>sentence-transformers' max_seq_length (sentence_bert_config.json): it truncates there, below the tokenizer's limit.</summary>
    public int? SentenceTransformersMaxLength() =>
        ReadJson("sentence_bert_config.json") is { } c && c.TryGetProperty("max_seq_length", out var m) && m.TryGetInt32(out var max) && max > 0
            ? max
            : null;

    /// <summary>sentence-transformers' do_lower_case (sentence_bert_config.json): the input is lower-cased before tokenization.</summary>
    public bool SentenceTransformersLowercase() =>
        ReadJson("sentence_bert_config.json") is { } c && IsTrue(c, "do_lower_case");

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

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{file} is not valid JSON ({ex.Message}); restore it from the model's files.", ex);
        }
    }

    private static bool IsTrue(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
