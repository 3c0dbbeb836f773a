using System.Globalization;

namespace RagService.Extraction.Isolation;

/// <summary>How a worker's memory is bounded: cgroup v2 <c>memory.max</c> in a child of <see cref="CgroupParent"/>, or RLIMIT_DATA.</summary>
/// <param name="CgroupParent">The delegated cgroup v2 directory the workers' cgroups are created in; null = rlimits.</param>
/// <param name="Reason">Why this mechanism, in words (for the log and the docs).</param>
public sealed record MemoryLimitMechanism(string? CgroupParent, string Reason)
{
    public bool UsesCgroup => CgroupParent is not null;

    /// <summary>
    /// cgroup v2 when <see cref="ExtractionIsolationOptions.CgroupMemoryLimit"/> is on, a cgroup2 hierarchy is mounted,
    /// the parent (<see cref="ExtractionIsolationOptions.CgroupParent"/>, else the service's own cgroup) exists, offers
    /// the memory controller in <c>cgroup.controllers</c>, has it enabled for its children in
    /// <c>cgroup.subtree_control</c>, and a child cgroup can be created in it (a probe is created and removed).
    /// Otherwise rlimits, with the first condition that failed.
    /// </summary>
    /// <param name="root">The filesystem root the proc and cgroup files are read under ("/"; tests pass a folder).</param>
    public static MemoryLimitMechanism Choose(ExtractionIsolationOptions limits, string root = "/")
    {
        const string setting = ExtractionIsolationOptions.SectionName + ":" + nameof(ExtractionIsolationOptions.CgroupMemoryLimit);
        if (!limits.CgroupMemoryLimit)
        {
            return Rlimits($"{setting} is off");
        }

        if (CgroupV2Mount(root) is not { } mount)
        {
            return Rlimits("no cgroup v2 hierarchy is mounted (no cgroup2 line in /proc/self/mountinfo)");
        }

        var parent = limits.CgroupParent ?? OwnCgroup(root, mount);
        if (parent is null)
        {
            return Rlimits($"the service's own cgroup v2 path is not in /proc/self/cgroup; set {ExtractionIsolationOptions.SectionName}:{nameof(ExtractionIsolationOptions.CgroupParent)}");
        }

        var directory = Path.Join(root, parent);
        if (!Directory.Exists(directory))
        {
            return Rlimits($"the cgroup {parent} does not exist");
        }

        if (!Words(Path.Join(directory, "cgroup.controllers")).Contains("memory"))
        {
            return Rlimits($"the memory controller is not available in the cgroup {parent} (its cgroup.controllers)");
        }

        if (!Words(Path.Join(directory, "cgroup.subtree_control")).Contains("memory"))
        {
            return Rlimits($"the memory controller is not enabled for the children of {parent} (write +memory to its cgroup.subtree_control)");
        }

        var probe = Path.Join(directory, $"rag-extraction-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Rlimits($"the cgroup {parent} is not writable ({e.Message})");
        }

        return new MemoryLimitMechanism(directory, $"memory.max of a child cgroup of {parent}");
    }

    private static MemoryLimitMechanism Rlimits(string why) => new(null, $"RLIMIT_DATA, because {why}");

    /// <summary>The mount point of the cgroup2 filesystem, from mountinfo (field 5; the filesystem type follows " - ").</summary>
    private static string? CgroupV2Mount(string root)
    {
        var mountinfo = Path.Join(root, "proc/self/mountinfo");
        if (!File.Exists(mountinfo))
        {
            return null;
        }

        foreach (var line in File.ReadLines(mountinfo))
        {
            var separator = line.IndexOf(" - ", StringComparison.Ordinal);
            var fields = line.Split(' ');
            if (separator > 0 && fields.Length > 4 && line[(separator + 3)..].StartsWith("cgroup2 ", StringComparison.Ordinal))
            {
                return fields[4].Replace("\\040", " ", StringComparison.Ordinal);
            }
        }

        return null;
    }

    /// <summary>The service's own cgroup v2 directory: the "0::/path" line of /proc/self/cgroup under the mount point.</summary>
    private static string? OwnCgroup(string root, string mount)
    {
        var file = Path.Join(root, "proc/self/cgroup");
        var line = File.Exists(file) ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal)) : null;
        return line is null ? null : (mount.TrimEnd('/') + "/" + line[3..].Trim('/')).TrimEnd('/');
    }

    private static HashSet<string> Words(string file) =>
        File.Exists(file) ? File.ReadAllText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal) : [];
}

/// <summary>
/// One worker's cgroup v2: created under the delegated parent with <c>memory.max</c> (and <c>memory.swap.max</c> = 0
/// where the kernel has it, so the bound cannot be dodged into swap), the worker moved in right after it starts (what
/// it starts follows it), and killed (<c>cgroup.kill</c>) and removed when the worker is retired.
/// </summary>
internal sealed class WorkerCgroup : IDisposable
{
    private readonly string _path;

    private WorkerCgroup(string path) => _path = path;

    public string Path => _path;

    public static WorkerCgroup Create(string parent, long memoryLimitBytes)
    {
        var path = System.IO.Path.Join(parent, $"rag-extraction-worker-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        var cgroup = new WorkerCgroup(path);
        try
        {
            File.WriteAllText(System.IO.Path.Join(path, "memory.max"), memoryLimitBytes.ToString(CultureInfo.InvariantCulture));
            if (File.Exists(System.IO.Path.Join(path, "memory.swap.max")))
            {
                File.WriteAllText(System.IO.Path.Join(path, "memory.swap.max"), "0");
            }

            return cgroup;
        }
        catch
        {
            cgroup.Dispose();
            throw;
        }
    }

    public void Add(int processId) => File.WriteAllText(System.IO.Path.Join(_path, "cgroup.procs"), processId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Whether the kernel's OOM killer ended a process of this cgroup (memory.events: oom_kill).</summary>
    public bool OomKilled()
    {
        try
        {
            return File.ReadLines(System.IO.Path.Join(_path, "memory.events"))
                .Select(l => l.Split(' '))
                .Any(f => f is ["oom_kill", var n] && n != "0");
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            var kill = System.IO.Path.Join(_path, "cgroup.kill");
            if (File.Exists(kill))
            {
                File.WriteAllText(kill, "1");
            }
        }
        catch (IOException)
        {
        }

        // The cgroup can be removed once its last process is reaped, which follows the kill by a moment.
        for (var attempt = 0; attempt < 50 && Directory.Exists(_path); attempt++)
        {
            try
            {
                Directory.Delete(_path);
            }
            catch (IOException)
            {
                Thread.Sleep(20);
            }
        }
    }
}
