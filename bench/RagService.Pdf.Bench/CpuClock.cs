using System.Globalization;

namespace RagService.Pdf.Bench;

/// <summary>
/// CPU time of this process (all threads: JIT, GC included) plus that of its finished child processes (pdfinfo,
/// pdftotext), from /proc/self/stat, in seconds. Clock-tick resolution (10 ms), so measure over many runs.
/// </summary>
internal static class CpuClock
{
    public static double Seconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        // Fields after the ")" that ends the command name: state is field 3, utime..cstime are fields 14..17.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = 0L;
        for (var field = 14; field <= 17; field++)
        {
            ticks += long.Parse(fields[field - 3], CultureInfo.InvariantCulture);
        }

        return ticks / 100.0;
    }
}
