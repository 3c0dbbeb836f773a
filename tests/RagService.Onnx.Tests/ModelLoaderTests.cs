using Microsoft.Extensions.Logging;
using RagService.Core.Models;
using RagService.Onnx.Embeddings;

namespace RagService.Onnx.Tests;

public sealed class ModelLoaderTests
{
    [Fact]
    public void Without_a_model_directory_dense_and_rerank_are_off()
    {
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions());
        Assert.Null(embedder);
        Assert.Equal(ComponentStatus.Off("dense", "no model directory configured"), status);
        var (reranker, rerankStatus) = OnnxModelLoader.LoadReranker(new OnnxModelOptions { ModelDirectory = " " });
        Assert.Null(reranker);
        Assert.Equal("off", rerankStatus.State);
        Assert.Equal("rerank", rerankStatus.Name);
    }

    [Fact]
    public async Task Loads_an_embedder_with_pooling_from_the_sentence_transformers_config()
    {
        using var dir = new TempModelDirectory(TestModels.Encoder, "bge-small-zh-v1.5", pooling: "cls");
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = dir.Path, IntraOpThreads = 1 });
        Assert.True(status.IsOn, status.Detail);
        Assert.Contains("bge-small-zh-v1.5 on cpu, dim 12, cls pooling", status.Detail, StringComparison.Ordinal);
        var onnx = Assert.IsType<OnnxTextEmbedder>(embedder);
        Assert.Equal("bge-small-zh-v1.5", onnx.ModelId);
        Assert.Equal("为这个句子生成表示以用于检索相关文章：", onnx.Settings.QueryPrefix);
        Assert.Single(await onnx.EmbedAsync(["你好"], EmbeddingPurpose.Query, default));
        onnx.Dispose();
    }

    [Fact]
    public void E5_models_get_query_and_passage_prefixes_and_mean_pooling_by_default()
    {
        using var dir = new TempModelDirectory(TestModels.EncoderWithoutTypes, "multilingual-e5-small");
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = dir.Path });
        var onnx = Assert.IsType<OnnxTextEmbedder>(embedder);
        Assert.Equal(("query: ", "passage: "), (onnx.Settings.QueryPrefix, onnx.Settings.PassagePrefix));
        Assert.Contains("mean pooling", status.Detail, StringComparison.Ordinal);
        onnx.Dispose();
    }

    [Fact]
    public async Task Loads_a_reranker_with_a_tokenizer_json()
    {
        using var dir = new TempModelDirectory(TestModels.CrossEncoder, "ms-marco-MiniLM-L-6-v2", tokenizerJson: true);
        var (reranker, status) = OnnxModelLoader.LoadReranker(new OnnxModelOptions { ModelDirectory = dir.Path, ScoreActivation = "sigmoid" });
        Assert.True(status.IsOn, status.Detail);
        Assert.Contains("sigmoid scores", status.Detail, StringComparison.Ordinal);
        var scores = await reranker!.ScoreAsync("hello", ["world", "你好"], default);
        Assert.All(scores, s => Assert.InRange(s, 0f, 1f));
        ((IDisposable)reranker).Dispose();
    }

    [Fact]
    public void Missing_directory_is_reported_as_failed_not_thrown()
    {
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = "/nonexistent/models/bge" });
        Assert.Null(embedder);
        Assert.Equal("failed", status.State);
        Assert.Contains("Model directory not found: /nonexistent/models/bge", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_model_is_reported_as_failed_with_the_runtime_message()
    {
        using var dir = new TempModelDirectory(TestModels.Encoder);
        File.WriteAllText(Path.Combine(dir.Path, "model.onnx"), "this is not a protobuf");
        var logger = new ListLogger();
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = dir.Path }, logger);
        Assert.Null(embedder);
        Assert.Equal("failed", status.State);
        Assert.Contains("model.onnx is not a usable ONNX model", status.Detail, StringComparison.Ordinal);
        Assert.Contains("Protobuf parsing failed", status.Detail, StringComparison.Ordinal);
        Assert.Contains("Replace it with the model's ONNX export", status.Detail, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error);
    }

    [Fact]
    public void Cuda_is_on_where_the_machine_has_it_and_else_failed_with_the_loader_reason_and_the_fix()
    {
        using var dir = new TempModelDirectory(TestModels.Encoder);
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = dir.Path, ExecutionProvider = "cuda" });
        (embedder as IDisposable)?.Dispose();
        if (CudaMachine.Usable)
        {
            Assert.Contains("on cuda:0", status.Detail, StringComparison.Ordinal);
            return;
        }

        Assert.Null(embedder);
        Assert.Equal("failed", status.State);
        Assert.Contains(CudaMachine.ExpectedLoaderFailure, status.Detail, StringComparison.Ordinal);
        Assert.Contains("set ExecutionProvider to cpu or auto", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_runs_where_cuda_really_is_and_else_falls_back_to_cpu_with_one_warning()
    {
        using var dir = new TempModelDirectory(TestModels.CrossEncoder);
        var logger = new ListLogger();
        var (reranker, status) = OnnxModelLoader.LoadReranker(new OnnxModelOptions { ModelDirectory = dir.Path, ExecutionProvider = "auto" }, logger);
        Assert.NotNull(reranker);
        Assert.True(status.IsOn);
        ((IDisposable)reranker).Dispose();
        if (CudaMachine.Usable)
        {
            Assert.Contains("on cuda:0", status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain(logger.Entries, e => e.Level == LogLevel.Warning);
            return;
        }

        Assert.Contains("on cpu", status.Detail, StringComparison.Ordinal);
        Assert.Contains("fell back to CPU", status.Detail, StringComparison.Ordinal);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("CUDA execution provider unavailable", warning.Message, StringComparison.Ordinal);
        Assert.Contains(CudaMachine.ExpectedLoaderFailure, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_execution_provider_is_reported_as_failed()
    {
        using var dir = new TempModelDirectory(TestModels.Encoder);
        var (_, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = dir.Path, ExecutionProvider = "tpu" });
        Assert.Equal("failed", status.State);
        Assert.Contains("Unknown execution provider 'tpu'", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_config_entries_reach_ort()
    {
        using var dir = new TempModelDirectory(TestModels.Encoder);
        var options = new OnnxModelOptions { ModelDirectory = dir.Path };
        options.SessionConfigEntries[""] = "1";
        var (_, status) = OnnxModelLoader.LoadEmbedder(options);
        Assert.Equal("failed", status.State);
        Assert.Contains("Config key is empty", status.Detail, StringComparison.Ordinal);
    }
}

/// <summary>Start-up failures a user can fix: each names the file and what to do.</summary>
public sealed class BadModelTests
{
    [Fact]
    public void A_vocabulary_larger_than_the_model_fails_naming_the_vocabulary_and_the_fix()
    {
        using var dir = new TempModelDirectory(TestModels.Encoder);
        var vocab = Path.Combine(dir.Path, "vocab.txt");
        File.WriteAllLines(vocab, TestVocabularies.WordPiece.Concat(Enumerable.Range(0, 200).Select(i => $"extra{i}")));
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = dir.Path });
        Assert.Null(embedder);
        Assert.Equal("failed", status.State);
        Assert.Contains($"The vocabulary {vocab} has 227 tokens", status.Detail, StringComparison.Ordinal);
        Assert.Contains("rejects id 226", status.Detail, StringComparison.Ordinal);
        Assert.Contains("do not belong to this model", status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("embedder", "1 value per text")]
    [InlineData("reranker", "expected one or two logits per pair")]
    public void A_model_of_the_wrong_kind_fails_naming_the_file_and_its_output(string configuredAs, string reason)
    {
        // A cross-encoder (one logit per pair) configured as the embedder, or an encoder (token states) as the reranker.
        using var dir = new TempModelDirectory(configuredAs == "embedder" ? TestModels.CrossEncoder : TestModels.Encoder);
        var options = new OnnxModelOptions { ModelDirectory = dir.Path };
        var status = configuredAs == "embedder" ? OnnxModelLoader.LoadEmbedder(options).Status : OnnxModelLoader.LoadReranker(options).Status;
        Assert.Equal("failed", status.State);
        Assert.Contains(Path.Combine(dir.Path, "model.onnx"), status.Detail, StringComparison.Ordinal);
        Assert.Contains(reason, status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_file_names_the_directory_and_the_fix()
    {
        using var dir = new TempModelDirectory(TestModels.Encoder);
        File.Delete(Path.Combine(dir.Path, "model.onnx"));
        var (_, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = dir.Path });
        Assert.Contains($"No ONNX model in {dir.Path}: expected model.onnx", status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_turns_a_failed_load_into_a_start_up_error_and_optional_does_not()
    {
        var failed = Core.Models.ComponentStatus.Failed("dense", "/models/x: Model directory not found");
        OnnxModelLoader.ThrowIfRequiredFailed("Rag:Embedding", new OnnxModelOptions { Required = false }, failed);
        var ex = Assert.Throws<InvalidOperationException>(() =>
            OnnxModelLoader.ThrowIfRequiredFailed("Rag:Embedding", new OnnxModelOptions { Required = true }, failed));
        Assert.Contains("Rag:Embedding:Required is true", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Model directory not found", ex.Message, StringComparison.Ordinal);
        OnnxModelLoader.ThrowIfRequiredFailed("Rag:Embedding", new OnnxModelOptions { Required = true }, Core.Models.ComponentStatus.Off("dense", "no model"));
    }
}
