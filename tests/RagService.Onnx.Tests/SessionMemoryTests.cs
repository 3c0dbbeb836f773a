using System.Diagnostics;
using RagService.Onnx.Runtime;

namespace RagService.Onnx.Tests;

[CollectionDefinition(nameof(SessionMemoryTests), DisableParallelization = true)]
public sealed class SessionMemoryCollection;

/// <summary>Runs alone: measures process memory, which other tests would disturb.</summary>
[Collection(nameof(SessionMemoryTests))]
public sealed class SessionMemoryTests
{
    [Fact]
    public void Disposing_sessions_releases_their_native_memory()
    {
        var settings = new SessionSettings { IntraOpThreads = 1 };
        void OpenRunDispose()
        {
            using var session = OnnxSession.Open(TestModels.LargeEncoder, settings);
            session.Run([new("input_ids", [1, 2, 3], [1, 3]), new("attention_mask", [1, 1, 1], [1, 3]), new("token_type_ids", [0, 0, 0], [1, 3])],
                "last_hidden_state");
        }

        for (var i = 0; i < 20; i++)
        {
            OpenRunDispose();
        }

        var rssBefore = ResidentBytes();
        const int sessions = 150;
        for (var i = 0; i < sessions; i++)
        {
            OpenRunDispose();
        }

        var growth = ResidentBytes() - rssBefore;
        // Each leaked session would keep its 2 MiB weight table (plus buffers): 150 leaks would add 300+ MiB.
        Assert.True(growth < 40L * 1024 * 1024, $"resident memory grew by {growth / 1048576.0:F1} MiB over {sessions} sessions");
    }

    private static long ResidentBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.WorkingSet64;
    }
}
