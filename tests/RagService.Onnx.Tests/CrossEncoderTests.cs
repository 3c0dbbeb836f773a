using RagService.Onnx.Reranking;
using RagService.Onnx.Runtime;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Tests;

public sealed class CrossEncoderTests
{
    private static readonly ITokenizer Tokenizer = TokenizerLoader.FromVocabTxt(TestVocabularies.WordPiece, new BertNormalization());

    private static readonly string[] Passages = ["hello world", "你好，世界。", "XYZ-123 testing tests", "the", "unaffable café 你好 hello world test"];

    private static OnnxCrossEncoder Create(int batchSize = 32, bool sigmoid = false) =>
        new(OnnxSession.Open(TestModels.CrossEncoder, new SessionSettings { IntraOpThreads = 1 }), Tokenizer,
            new CrossEncoderSettings("test-reranker", 64, batchSize, sigmoid));

    private static float Reference(string query, string passage)
    {
        var pair = Tokenizer.EncodePair(query, passage, 64);
        return TestModels.ReferenceLogit(pair.Ids.Select(i => (long)i).ToArray(), pair.TypeIds.Select(i => (long)i).ToArray());
    }

    [Fact]
    public async Task Scores_are_the_model_logits_of_each_pair_in_input_order()
    {
        using var reranker = Create(batchSize: 2);
        var scores = await reranker.ScoreAsync("hello 你好", Passages, default);
        Assert.Equal(Passages.Length, scores.Length);
        for (var i = 0; i < Passages.Length; i++)
        {
            Assert.Equal(Reference("hello 你好", Passages[i]), scores[i], 1e-5f);
        }

        Assert.True(scores.Distinct().Count() > 1);
    }

    [Fact]
    public async Task Sigmoid_activation_maps_logits_to_probabilities()
    {
        using var reranker = Create(sigmoid: true);
        var scores = await reranker.ScoreAsync("test", Passages, default);
        for (var i = 0; i < Passages.Length; i++)
        {
            Assert.Equal(1f / (1f + MathF.Exp(-Reference("test", Passages[i]))), scores[i], 1e-5f);
        }
    }

    [Fact]
    public async Task Batch_size_does_not_change_scores()
    {
        using var one = Create(batchSize: 1);
        using var all = Create(batchSize: 16);
        var a = await one.ScoreAsync("world", Passages, default);
        var b = await all.ScoreAsync("world", Passages, default);
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], b[i], 1e-6f);
        }
    }
}
