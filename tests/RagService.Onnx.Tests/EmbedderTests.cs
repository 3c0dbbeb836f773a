using System.Numerics.Tensors;
using RagService.Core.Models;
using RagService.Onnx.Embeddings;
using RagService.Onnx.Runtime;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Tests;

public sealed class EmbedderTests
{
    private static readonly ITokenizer Tokenizer = TokenizerLoader.FromVocabTxt(TestVocabularies.WordPiece, new BertNormalization());

    private static readonly string[] Texts =
    [
        "hello world", "你好，世界。", "XYZ-123 testing", "the", "Café unaffable hello world 你好 test tests testing",
        "hello", "世界 hello world world", "test", "unaffable", "hello world hello world hello world hello world",
    ];

    private static OnnxTextEmbedder Create(PoolingMode pooling, int batchSize = 32, bool normalize = true, string model = "encoder",
        string queryPrefix = "", int maxLength = 64)
    {
        var path = model == "encoder" ? TestModels.Encoder : TestModels.EncoderWithoutTypes;
        var session = OnnxSession.Open(path, new SessionSettings { IntraOpThreads = 1 });
        return new OnnxTextEmbedder(session, Tokenizer, new EmbedderSettings("test", pooling, maxLength, batchSize, queryPrefix, "", normalize));
    }

    private static float[] Reference(string text, PoolingMode pooling, bool withTypes = true, bool normalize = true)
    {
        // Token ids from Hugging Face tokenizers, not from the tokenizer under test.
        using var oracle = HfOracle.TestVocabulary(maxLength: 64);
        var ids = oracle.Ids(text);
        var hidden = TestModels.ReferenceHidden(ids, withTypes ? new long[ids.Length] : null, Enumerable.Repeat(1L, ids.Length).ToArray());
        var vector = new float[TestModels.Out];
        if (pooling == PoolingMode.Cls)
        {
            hidden[0].CopyTo(vector, 0);
        }
        else
        {
            foreach (var row in hidden)
            {
                TensorPrimitives.Add(vector, row, vector);
            }

            TensorPrimitives.Divide(vector, hidden.Length, vector);
        }

        if (normalize)
        {
            TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
        }

        return vector;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 2e-5f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]} got {actual[i]}");
        }
    }

    [Theory]
    [InlineData(PoolingMode.Mean)]
    [InlineData(PoolingMode.Cls)]
    public async Task Vectors_match_the_reference_pooling_and_normalisation(PoolingMode pooling)
    {
        using var embedder = Create(pooling);
        var vectors = await embedder.EmbedAsync(Texts, EmbeddingPurpose.Passage, default);
        for (var i = 0; i < Texts.Length; i++)
        {
            AssertClose(Reference(Texts[i], pooling), vectors[i]);
            Assert.Equal(1f, TensorPrimitives.Norm(vectors[i]), 5);
        }
    }

    [Fact]
    public async Task Without_normalisation_the_raw_mean_is_returned()
    {
        using var embedder = Create(PoolingMode.Mean, normalize: false);
        var vectors = await embedder.EmbedAsync(["hello world 你好"], EmbeddingPurpose.Passage, default);
        AssertClose(Reference("hello world 你好", PoolingMode.Mean, normalize: false), vectors[0]);
        Assert.NotEqual(1f, TensorPrimitives.Norm(vectors[0]), 3);
    }

    [Fact]
    public async Task Batched_and_padded_results_equal_one_by_one_results_in_input_order()
    {
        using var batched = Create(PoolingMode.Mean, batchSize: 4);
        var together = await batched.EmbedAsync(Texts, EmbeddingPurpose.Passage, default);
        for (var i = 0; i < Texts.Length; i++)
        {
            var alone = await batched.EmbedAsync([Texts[i]], EmbeddingPurpose.Passage, default);
            AssertClose(alone[0], together[i], 1e-6f);
        }
    }

    [Fact]
    public async Task Padding_next_to_a_long_text_does_not_change_a_short_text()
    {
        using var embedder = Create(PoolingMode.Mean, batchSize: 8);
        var alone = (await embedder.EmbedAsync(["hello"], EmbeddingPurpose.Passage, default))[0];
        var padded = (await embedder.EmbedAsync(["hello", Texts[4]], EmbeddingPurpose.Passage, default))[0];
        AssertClose(alone, padded, 1e-6f);
    }

    [Fact]
    public void Dimension_comes_from_the_model_output()
    {
        using var embedder = Create(PoolingMode.Cls);
        Assert.Equal(TestModels.Out, embedder.Dimension);
    }

    [Fact]
    public async Task Query_prefix_is_prepended_to_queries_only()
    {
        using var embedder = Create(PoolingMode.Mean, queryPrefix: "hello ");
        var query = (await embedder.EmbedAsync(["world"], EmbeddingPurpose.Query, default))[0];
        var passage = (await embedder.EmbedAsync(["hello world"], EmbeddingPurpose.Passage, default))[0];
        var plain = (await embedder.EmbedAsync(["world"], EmbeddingPurpose.Passage, default))[0];
        AssertClose(passage, query, 1e-6f);
        Assert.NotEqual(plain, query);
    }

    [Fact]
    public async Task Models_without_token_type_ids_get_only_ids_and_mask()
    {
        using var embedder = Create(PoolingMode.Mean, model: "notype");
        var vectors = await embedder.EmbedAsync(["你好 hello"], EmbeddingPurpose.Passage, default);
        AssertClose(Reference("你好 hello", PoolingMode.Mean, withTypes: false), vectors[0]);
    }

    [Fact]
    public async Task Long_texts_are_truncated_to_the_maximum_length()
    {
        using var embedder = Create(PoolingMode.Mean, maxLength: 4);
        var truncated = (await embedder.EmbedAsync(["hello world test test test"], EmbeddingPurpose.Passage, default))[0];
        var shortText = (await embedder.EmbedAsync(["hello world"], EmbeddingPurpose.Passage, default))[0];
        AssertClose(shortText, truncated, 1e-6f);
    }

    [Fact]
    public async Task Concurrent_calls_agree()
    {
        using var embedder = Create(PoolingMode.Mean, batchSize: 3);
        var expected = await embedder.EmbedAsync(Texts, EmbeddingPurpose.Passage, default);
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => embedder.EmbedAsync(Texts, EmbeddingPurpose.Passage, default))));
        foreach (var result in results)
        {
            for (var i = 0; i < Texts.Length; i++)
            {
                Assert.Equal(expected[i], result[i]);
            }
        }
    }

    [Fact]
    public async Task Empty_input_gives_empty_output()
    {
        using var embedder = Create(PoolingMode.Mean);
        Assert.Empty(await embedder.EmbedAsync([], EmbeddingPurpose.Query, default));
    }

    [Fact]
    public async Task Embedding_generator_adapter_returns_the_same_vectors()
    {
        using var embedder = Create(PoolingMode.Mean, queryPrefix: "hello ");
        using var generator = new OnnxEmbeddingGenerator(embedder);
        var passages = await generator.GenerateAsync(["hello world", "你好"]);
        var expected = await embedder.EmbedAsync(["hello world", "你好"], EmbeddingPurpose.Passage, default);
        Assert.Equal(expected[0], passages[0].Vector.ToArray());
        Assert.Equal(expected[1], passages[1].Vector.ToArray());

        var options = new Microsoft.Extensions.AI.EmbeddingGenerationOptions { AdditionalProperties = new() { ["purpose"] = "query" } };
        var query = await generator.GenerateAsync(["world"], options);
        Assert.Equal((await embedder.EmbedAsync(["world"], EmbeddingPurpose.Query, default))[0], query[0].Vector.ToArray());

        var metadata = (Microsoft.Extensions.AI.EmbeddingGeneratorMetadata?)generator.GetService(typeof(Microsoft.Extensions.AI.EmbeddingGeneratorMetadata));
        Assert.Equal(TestModels.Out, metadata?.DefaultModelDimensions);
        Assert.Equal("test", metadata?.DefaultModelId);
    }
}
