using RagService.Onnx.Native;
using RagService.Onnx.Runtime;

namespace RagService.Onnx.Tests;

/// <summary>
/// Shows that each option setter reached its own table slot: invalid values are rejected with a message naming the
/// setting, and thread counts show up as threads.
/// </summary>
public sealed class SessionOptionSlotTests
{
    private static readonly OrtApi Api = OrtRuntime.Get().Api;

    private static string RejectionOf(Action<nint> set)
    {
        using var options = Api.CreateOwnedSessionOptions();
        return Assert.Throws<OrtException>(() => set(options.DangerousGetHandle())).OrtMessage;
    }

    [Fact]
    public void Graph_optimization_level_setter_validates_the_level()
    {
        Assert.Contains("graph_optimization_level", RejectionOf(o => Api.SetGraphOptimizationLevel(o, 5)), StringComparison.Ordinal);
    }

    [Fact]
    public void Execution_mode_setter_validates_the_mode()
    {
        Assert.Contains("execution_mode", RejectionOf(o => Api.SetExecutionMode(o, 7)), StringComparison.Ordinal);
    }

    [Fact]
    public void Config_entry_setter_validates_the_key()
    {
        Assert.Contains("Config key", RejectionOf(o => Api.AddSessionConfigEntry(o, "", "1")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Sessions_accept_config_entries()
    {
        var settings = new SessionSettings { ConfigEntries = new Dictionary<string, string> { ["session.intra_op.allow_spinning"] = "0" } };
        using var session = InferenceSession.Open(TestModels.Encoder, settings);
        var output = session.Run([new("input_ids", [1], [1, 1]), new("attention_mask", [1], [1, 1]), new("token_type_ids", [0], [1, 1])],
            "last_hidden_state");
        Assert.Equal([1L, 1, TestModels.Out], output.Shape);
    }

    [Fact]
    public void Environment_release_drops_one_reference_to_the_shared_environment()
    {
        // CreateEnv hands back the process's one environment with its count raised; ReleaseEnv lowers it again.
        for (var i = 0; i < 3; i++)
        {
            using var extra = Api.CreateOwnedEnv(3, "extra");
        }

        using var session = InferenceSession.Open(TestModels.Encoder, new SessionSettings());
        Assert.Equal(3, session.InputNames.Count);
    }
}

/// <summary>Counts OS threads, so it runs alone (see <see cref="NativeMemoryCollection"/>).</summary>
[Collection(nameof(NativeMemoryTests))]
public sealed class ThreadSettingTests
{
    [Theory]
    [InlineData(4, 1, false, 3)]   // intra-op pool: the caller plus 3 workers
    [InlineData(1, 3, true, 2)]    // inter-op pool (parallel mode only): the caller plus 2 workers
    [InlineData(1, 1, false, 0)]
    public void Session_thread_pools_have_the_configured_size(int intra, int inter, bool parallel, int expectedNewThreads)
    {
        var settings = new SessionSettings { IntraOpThreads = intra, InterOpThreads = inter, ParallelExecution = parallel };
        var observed = Enumerable.Range(0, 3).Select(_ =>
        {
            var before = ThreadCount();
            using var session = InferenceSession.Open(TestModels.Encoder, settings);
            return ThreadCount() - before;
        }).Min();
        Assert.Equal(expectedNewThreads, observed);
    }

    private static int ThreadCount() => Directory.GetDirectories("/proc/self/task").Length;
}
