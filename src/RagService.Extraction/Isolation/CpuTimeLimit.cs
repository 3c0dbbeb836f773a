using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RagService.Extraction.Isolation;

/// <summary>
/// Sets this process's RLIMIT_CPU soft limit to the CPU time used so far plus a budget. RLIMIT_CPU counts the whole
/// life of a process, so a warm worker moves the limit before each file; past it the kernel sends SIGXCPU, which ends
/// the worker. The hard limit is left alone: an unprivileged process could never raise it again.
/// </summary>
public static partial class CpuTimeLimit
{
    private const int RlimitCpu = 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);

    /// <summary>Allows <paramref name="seconds"/> more seconds of CPU time from now; false when the OS refused (or is not Linux).</summary>
    public static bool AllowFromNow(long seconds)
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitCpu, out var limit) != 0)
        {
            return false;
        }

        using var self = Process.GetCurrentProcess();
        var wanted = (ulong)Math.Ceiling(self.TotalProcessorTime.TotalSeconds) + (ulong)seconds;
        limit.Current = Math.Min(wanted, limit.Maximum);
        return SetRLimit(RlimitCpu, limit) == 0;
    }
}
