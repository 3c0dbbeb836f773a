using Microsoft.ML.OnnxRuntime;
using RagService.Onnx.Runtime;

namespace RagService.Onnx.Tests;

/// <summary>The session wrapper over Microsoft.ML.OnnxRuntime: metadata, runs against the reference, errors, providers, concurrency.</summary>
public sealed class OnnxSessionTests
{
    [Fact]
    public void Runs_the_official_runtime_with_the_cpu_provider()
    {
        Assert.True(Version.Parse(OrtEnv.Instance().GetVersionString()) >= new Version(1, 31));
        Assert.Contains("CPUExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
    }

    [Fact]
    public void Reads_input_and_output_names_types_and_shapes_from_the_model()
    {
        using var session = OnnxSession.Open(TestModels.Encoder, new SessionSettings());
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], session.InputNames);
        Assert.Equal(["last_hidden_state"], session.OutputNames);
        Assert.Equal([-1L, -1L], session.Inputs["attention_mask"]);
        Assert.Equal(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float, session.OutputTypes["last_hidden_state"]);
        Assert.Equal([-1L, -1L, TestModels.Out], session.Outputs["last_hidden_state"]);
        Assert.Equal("cpu", session.ExecutionProvider);
    }

    [Theory]
    [InlineData(GraphOptimization.All, 2)]
    [InlineData(GraphOptimization.Disabled, 1)]
    [InlineData(GraphOptimization.Basic, 0)]
    public void Run_matches_the_reference_computation(GraphOptimization optimization, int threads)
    {
        using var session = OnnxSession.Open(TestModels.Encoder, new SessionSettings { Optimization = optimization, IntraOpThreads = threads });
        long[] ids = [5, 17, 99, 3, 0, 0, 42, 7, 127, 1, 0, 0];
        long[] types = [0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0];
        long[] mask = [1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0];
        var output = session.Run(
            [new("input_ids", ids, [2, 6]), new("attention_mask", mask, [2, 6]), new("token_type_ids", types, [2, 6])],
            "last_hidden_state");

        Assert.Equal([2L, 6, TestModels.Out], output.Shape);
        for (var b = 0; b < 2; b++)
        {
            var expected = TestModels.ReferenceHidden(ids[(b * 6)..((b + 1) * 6)], types[(b * 6)..((b + 1) * 6)], mask[(b * 6)..((b + 1) * 6)]);
            for (var s = 0; s < 6; s++)
            {
                for (var k = 0; k < TestModels.Out; k++)
                {
                    Assert.Equal(expected[s][k], output.Data[((b * 6) + s) * TestModels.Out + k], 2e-5f);
                }
            }
        }
    }

    [Fact]
    public void Wrong_input_name_is_a_clear_error_listing_the_model_inputs()
    {
        using var session = OnnxSession.Open(TestModels.Encoder, new SessionSettings());
        var ex = Assert.Throws<ArgumentException>(() => session.Run(
            [new("ids", [1, 2], [1, 2]), new("attention_mask", [1, 1], [1, 2]), new("token_type_ids", [0, 0], [1, 2])],
            "last_hidden_state"));
        Assert.Contains("no input named 'ids'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("input_ids, attention_mask, token_type_ids", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_input_surfaces_the_runtime_message()
    {
        using var session = OnnxSession.Open(TestModels.Encoder, new SessionSettings());
        var ex = Assert.Throws<OnnxRuntimeException>(() => session.Run(
            [new("input_ids", [1, 2], [1, 2]), new("token_type_ids", [0, 0], [1, 2])], "last_hidden_state"));
        Assert.Contains("attention_mask", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shape_that_does_not_match_the_data_is_rejected_before_reaching_ort()
    {
        using var session = OnnxSession.Open(TestModels.Encoder, new SessionSettings());
        var ex = Assert.Throws<ArgumentException>(() => session.Run(
            [new("input_ids", [1, 2, 3], [1, 2]), new("attention_mask", [1, 1], [1, 2]), new("token_type_ids", [0, 0], [1, 2])],
            "last_hidden_state"));
        Assert.Contains("has 3 values but shape [1, 2] needs 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_model_file_gives_ort_error_with_its_message()
    {
        var path = Path.Combine(TestModels.Directory, "corrupt-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllBytes(path, [.. File.ReadAllBytes(TestModels.Encoder).Take(600), 0xFF, 0xFE, 0x00, 0x13]);
        var ex = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(path, new SessionSettings()));
        Assert.Contains("protobuf", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Missing_model_file_names_the_path()
    {
        var ex = Assert.Throws<FileNotFoundException>(() => OnnxSession.Open("/nonexistent/model.onnx", new SessionSettings()));
        Assert.Contains("/nonexistent/model.onnx", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cuda_provider_runs_on_cuda_where_the_machine_has_it_and_fails_with_the_loader_reason_where_not()
    {
        var settings = new SessionSettings { ExecutionProvider = ExecutionProviderKind.Cuda, GpuMemoryLimitBytes = 1 << 30 };
        if (CudaMachine.Usable)
        {
            using var session = OnnxSession.Open(TestModels.Encoder, settings);
            Assert.Equal("cuda:0", session.ExecutionProvider);
            return;
        }

        var ex = Assert.Throws<OnnxRuntimeException>(() => OnnxSession.Open(TestModels.Encoder, settings));
        Assert.Contains(CudaMachine.ExpectedLoaderFailure, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_provider_takes_cuda_where_usable_and_else_falls_back_to_cpu_with_the_loader_reason()
    {
        using var session = OnnxSession.Open(TestModels.Encoder, new SessionSettings { ExecutionProvider = ExecutionProviderKind.Auto });
        if (CudaMachine.Usable)
        {
            Assert.Equal("cuda:0", session.ExecutionProvider);
            Assert.Null(session.ProviderWarning);
            return;
        }

        Assert.Equal("cpu", session.ExecutionProvider);
        Assert.NotNull(session.ProviderWarning);
        Assert.Contains(CudaMachine.ExpectedLoaderFailure, session.ProviderWarning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_runs_on_one_session_agree_with_sequential_runs()
    {
        using var session = OnnxSession.Open(TestModels.Encoder, new SessionSettings { IntraOpThreads = 2 });
        FloatTensor RunFor(int seed)
        {
            var ids = Enumerable.Range(0, 16).Select(i => (long)((seed * 31 + i * 7) % TestModels.Vocab)).ToArray();
            var ones = Enumerable.Repeat(1L, 16).ToArray();
            var types = new long[16];
            return session.Run([new("input_ids", ids, [2, 8]), new("attention_mask", ones, [2, 8]), new("token_type_ids", types, [2, 8])],
                "last_hidden_state");
        }

        var expected = Enumerable.Range(0, 16).Select(RunFor).ToArray();
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var round = 0; round < 25; round++)
            {
                var seed = (t + round) % 16;
                Assert.Equal(expected[seed].Data, RunFor(seed).Data);
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void Run_after_dispose_throws_object_disposed()
    {
        var session = OnnxSession.Open(TestModels.Encoder, new SessionSettings());
        session.Dispose();
        session.Dispose();
        Assert.Throws<ObjectDisposedException>(() => session.Run(
            [new("input_ids", [1], [1, 1]), new("attention_mask", [1], [1, 1]), new("token_type_ids", [0], [1, 1])], "last_hidden_state"));
    }
}
