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

    private const int RusageSelf = 0;

    // struct rusage: user and system time (struct timeval: seconds, microseconds), then 14 counters.
    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public fixed long Counters[14];
    }

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRUsage(int who, out RUsage usage);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);

    /// <summary>Allows <paramref name="seconds"/> more seconds of CPU time from now; false when the OS refused (or is not Linux).</summary>
    public static bool AllowFromNow(long seconds)
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitCpu, out var limit) != 0 || GetRUsage(RusageSelf, out var used) != 0)
        {
            return false;
        }

        // getrusage rather than Process.TotalProcessorTime: no /proc read and parse before every file.
        var usedSeconds = used.UserSeconds + used.SystemSeconds + (used.UserMicroseconds + used.SystemMicroseconds + 999_999) / 1_000_000;
        var wanted = (ulong)usedSeconds + (ulong)seconds;
        limit.Current = Math.Min(wanted, limit.Maximum);
        return SetRLimit(RlimitCpu, limit) == 0;
    }
}
