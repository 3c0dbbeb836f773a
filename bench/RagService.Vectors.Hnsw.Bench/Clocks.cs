using System.Runtime.InteropServices;

namespace RagService.Vectors.Hnsw.Bench;

/// <summary>CPU time of the calling thread (Linux clock_gettime(CLOCK_THREAD_CPUTIME_ID)).</summary>
internal static partial class Clocks
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    public static double ThreadCpuSeconds()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var t) != 0)
        {
            return double.NaN;
        }

        return t.Seconds + t.Nanoseconds * 1e-9;
    }

    public static double ProcessCpuSeconds() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}

/// <summary>Resident set size from /proc/self/status, in MiB.</summary>
internal static class Memory
{
    public static double RssMiB() => StatusMiB("VmRSS:");

    /// <summary>Anonymous resident memory: the managed heap and native allocations, not file-backed pages.</summary>
    public static double RssAnonMiB() => StatusMiB("RssAnon:");

    /// <summary>Resident pages of mapped files (an int8 index's float vectors, as far as searches have read them).</summary>
    public static double RssFileMiB() => StatusMiB("RssFile:");

    private static double StatusMiB(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
            }
        }

        return double.NaN;
    }

    public static double ManagedMiB() => GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0);
}
