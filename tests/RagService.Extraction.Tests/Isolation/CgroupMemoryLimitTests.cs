using System.Text;
using RagService.Core.Documents;
using RagService.Extraction.Isolation;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Extraction.Tests.Isolation;

/// <summary>
/// Workers bounded by cgroup v2 memory.max, on a machine where a writable cgroup v2 with the memory controller is
/// delegated (the service's own cgroup, or the one RAG_TEST_CGROUP_PARENT names). Elsewhere each test is skipped with
/// the reason <see cref="MemoryLimitMechanism.Choose"/> gives.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CgroupMemoryLimitTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("rag-cgroup-test-").FullName;

    private static ExtractionIsolationOptions Limits(long memory) => new()
    {
        PoolSize = 1,
        MemoryLimitBytes = memory,
        CgroupMemoryLimit = true,
        CgroupParent = Environment.GetEnvironmentVariable("RAG_TEST_CGROUP_PARENT") is { Length: > 0 } parent ? parent : null,
    };

    private static MemoryLimitMechanism Available()
    {
        var choice = MemoryLimitMechanism.Choose(Limits(256L << 20));
        Skip.IfNot(choice.UsesCgroup, $"no writable cgroup v2 here: {choice.Reason}");
        return choice;
    }

    private static string[] WorkerCgroups(string parent) =>
        Directory.GetDirectories(parent, $"rag-extraction-worker-{Environment.ProcessId}-*");

    [SkippableFact]
    public async Task A_worker_runs_in_its_own_cgroup_with_memory_max_which_goes_with_the_pool()
    {
        var parent = Available().CgroupParent!;
        var isolated = new IsolatedDocumentExtractor(new ExtractionOptions { TempDirectory = _temp }, Limits(256L << 20));

        var doc = await isolated.ExtractAsync(Encoding.UTF8.GetBytes("Pumps need oil every 300 hours."), "oil.txt", null, CancellationToken.None);

        Assert.True(isolated.MemoryLimit.UsesCgroup);
        Assert.Contains("300 hours", doc.FullText);
        var cgroup = Assert.Single(WorkerCgroups(parent));
        Assert.Equal((256L << 20).ToString(), File.ReadAllText(Path.Join(cgroup, "memory.max")).Trim());
        Assert.NotEmpty(File.ReadAllText(Path.Join(cgroup, "cgroup.procs")).Trim()); // the worker is in it
        isolated.Dispose();
        Assert.Empty(WorkerCgroups(parent));
    }

    [SkippableFact]
    public async Task A_file_past_memory_max_is_refused_naming_the_limit_and_the_next_file_is_read()
    {
        Available();
        using var isolated = new IsolatedDocumentExtractor(new ExtractionOptions { TempDirectory = _temp }, Limits(256L << 20));

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => isolated.ExtractAsync(HostileFiles.PdfFlateBomb(1L << 30), "bomb.pdf", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Crashed, ex.Failure);
        Assert.Contains("ran out of its 256 MiB memory limit on this file (Rag:Extraction:MemoryLimitBytes)", ex.Message);
        var after = await isolated.ExtractAsync(Encoding.UTF8.GetBytes("still reading"), "a.txt", null, CancellationToken.None);
        Assert.Equal("still reading", after.FullText);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
