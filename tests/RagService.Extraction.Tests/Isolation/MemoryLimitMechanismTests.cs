using RagService.Extraction.Isolation;

namespace RagService.Extraction.Tests.Isolation;

/// <summary>
/// Which mechanism bounds a worker's memory, decided from the proc and cgroup files under a filesystem root: here a
/// temp folder laid out like the machines the service meets (cgroup v1 only; hybrid with an empty cgroup2; a
/// delegated cgroup2 with and without the memory controller for its children).
/// </summary>
public sealed class MemoryLimitMechanismTests : IDisposable
{
    private const string V1Mounts = """
        30 25 0:26 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory
        31 25 0:27 / /sys/fs/cgroup/cpu rw,relatime shared:13 - cgroup cgroup rw,cpu
        """;

    private const string UnifiedMount = "35 25 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";

    private readonly string _root = Directory.CreateTempSubdirectory("rag-cgroup-root-").FullName;

    private static readonly ExtractionIsolationOptions On = new() { CgroupMemoryLimit = true };

    private void Write(string relative, string text)
    {
        var path = Path.Join(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>A cgroup2 hierarchy at /sys/fs/cgroup, the service in /system.slice/rag.service, with these controller files there.</summary>
    private void DelegatedCgroup(string controllers, string subtreeControl)
    {
        Write("proc/self/mountinfo", V1Mounts + "\n" + UnifiedMount);
        Write("proc/self/cgroup", "0::/system.slice/rag.service\n");
        Write("sys/fs/cgroup/system.slice/rag.service/cgroup.controllers", controllers);
        Write("sys/fs/cgroup/system.slice/rag.service/cgroup.subtree_control", subtreeControl);
    }

    [Fact]
    public void Off_by_default_rlimits_are_used()
    {
        DelegatedCgroup("cpu memory pids\n", "memory\n");

        var choice = MemoryLimitMechanism.Choose(new ExtractionIsolationOptions(), _root);

        Assert.False(choice.UsesCgroup);
        Assert.Equal("RLIMIT_DATA, because Rag:Extraction:CgroupMemoryLimit is off", choice.Reason);
    }

    [Fact]
    public void A_delegated_cgroup_with_the_memory_controller_for_its_children_is_chosen_and_left_as_found()
    {
        DelegatedCgroup("cpu memory pids\n", "memory pids\n");

        var choice = MemoryLimitMechanism.Choose(On, _root);

        var parent = Path.Join(_root, "/sys/fs/cgroup/system.slice/rag.service");
        Assert.True(choice.UsesCgroup, choice.Reason);
        Assert.Equal(parent, choice.CgroupParent);
        Assert.Equal(["cgroup.controllers", "cgroup.subtree_control"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName).Order(StringComparer.Ordinal)); // the probe is gone
    }

    [Fact]
    public void A_configured_parent_wins_over_the_services_own_cgroup()
    {
        DelegatedCgroup("memory\n", "\n");
        Write("sys/fs/cgroup/rag-workers/cgroup.controllers", "memory\n");
        Write("sys/fs/cgroup/rag-workers/cgroup.subtree_control", "memory\n");

        var choice = MemoryLimitMechanism.Choose(On with { CgroupParent = "/sys/fs/cgroup/rag-workers" }, _root);

        Assert.Equal(Path.Join(_root, "/sys/fs/cgroup/rag-workers"), choice.CgroupParent);
    }

    [Fact]
    public void Cgroup_v1_only_falls_back_to_rlimits()
    {
        Write("proc/self/mountinfo", V1Mounts);
        Write("proc/self/cgroup", "4:memory:/docker/abc\n");

        var choice = MemoryLimitMechanism.Choose(On, _root);

        Assert.Null(choice.CgroupParent);
        Assert.Equal("RLIMIT_DATA, because no cgroup v2 hierarchy is mounted (no cgroup2 line in /proc/self/mountinfo)", choice.Reason);
    }

    [Fact]
    public void A_hybrid_hierarchy_whose_cgroup2_has_no_memory_controller_falls_back()
    {
        // systemd's hybrid layout: memory stays on v1, the cgroup2 at /sys/fs/cgroup/unified offers no controllers.
        Write("proc/self/mountinfo", V1Mounts + "\n36 25 0:31 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
        Write("proc/self/cgroup", "4:memory:/x\n0::/\n");
        Write("sys/fs/cgroup/unified/cgroup.controllers", "\n");
        Write("sys/fs/cgroup/unified/cgroup.subtree_control", "\n");

        var choice = MemoryLimitMechanism.Choose(On, _root);

        Assert.Null(choice.CgroupParent);
        Assert.Equal("RLIMIT_DATA, because the memory controller is not available in the cgroup /sys/fs/cgroup/unified (its cgroup.controllers)", choice.Reason);
    }

    [Fact]
    public void Memory_not_enabled_for_the_children_falls_back_and_says_how_to_enable_it()
    {
        DelegatedCgroup("cpu memory pids\n", "pids\n");

        var choice = MemoryLimitMechanism.Choose(On, _root);

        Assert.Null(choice.CgroupParent);
        Assert.Contains("not enabled for the children of /sys/fs/cgroup/system.slice/rag.service (write +memory to its cgroup.subtree_control)", choice.Reason);
    }

    [Fact]
    public void A_configured_parent_that_does_not_exist_falls_back()
    {
        DelegatedCgroup("memory\n", "memory\n");

        var choice = MemoryLimitMechanism.Choose(On with { CgroupParent = "/sys/fs/cgroup/missing" }, _root);

        Assert.Equal("RLIMIT_DATA, because the cgroup /sys/fs/cgroup/missing does not exist", choice.Reason);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
