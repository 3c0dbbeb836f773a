using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>
/// Turns how a worker ended on a file into the refusal the uploader reads: out of its memory limit, out of its CPU
/// time, a stack overflow, a signal, or an unexpected exit.
/// </summary>
public static class WorkerDeath
{
    private const int SigXcpu = 24;

    private static readonly Dictionary<int, string> SignalNames = new()
    {
        [4] = "SIGILL", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [11] = "SIGSEGV", [15] = "SIGTERM", [SigXcpu] = "SIGXCPU", [25] = "SIGXFSZ",
    };

    /// <param name="exitCode">The worker's exit code; .NET reports death by signal N as 128 + N. Null when it did not exit.</param>
    /// <param name="crashOutput">What the runtime wrote on standard error, as far as it tells the cause.</param>
    public static ExtractionException Describe(int? exitCode, WorkerCrashOutput crashOutput, ExtractionIsolationOptions limits, string? extractor)
    {
        var who = "the extractor" + (extractor is null ? "" : $" ({extractor})");
        string message;
        if (crashOutput.StackOverflow)
        {
            message = $"{who} crashed: stack overflow (the file nests too deeply to be read)";
        }
        else if (crashOutput.OutOfMemory || exitCode == WorkerLoop.ExitAfterOutOfMemory)
        {
            message = OutOfMemory(who, limits);
        }
        else if (exitCode == 128 + SigXcpu)
        {
            message = $"{who} used up its CPU time limit of {limits.CpuTimeLimit.TotalSeconds:0} s on this file ({ExtractionIsolationOptions.SectionName}:CpuTimeLimit)";
        }
        else if (exitCode is > 128 and < 128 + 65)
        {
            var signal = exitCode.Value - 128;
            message = $"{who} crashed: killed by signal {(SignalNames.TryGetValue(signal, out var n) ? n : signal.ToString())}";
        }
        else
        {
            message = $"{who} exited unexpectedly (exit code {exitCode?.ToString() ?? "unknown"})";
        }

        return new ExtractionException(message + "; the document was not indexed.", ExtractionFailure.Crashed) { Extractor = extractor };
    }

    /// <summary>The message for a file that exhausted the worker's memory.</summary>
    public static string OutOfMemory(string who, ExtractionIsolationOptions limits) =>
        $"{who} ran out of its {Bytes(limits.MemoryLimitBytes)} memory limit on this file ({ExtractionIsolationOptions.SectionName}:MemoryLimitBytes)";

    /// <summary>1 GiB, 512 MiB, 3000 bytes.</summary>
    public static string Bytes(long bytes) =>
        bytes % (1L << 30) == 0 ? $"{bytes >> 30} GiB"
        : bytes % (1L << 20) == 0 ? $"{bytes >> 20} MiB"
        : $"{bytes} bytes";
}

/// <summary>Markers the .NET runtime writes on standard error when it dies, gathered line by line from a worker.</summary>
public sealed class WorkerCrashOutput
{
    public bool StackOverflow { get; private set; }

    public bool OutOfMemory { get; private set; }

    /// <summary>The kernel's OOM killer ended the worker (its cgroup's memory.events say so).</summary>
    public void OomKilled() => OutOfMemory = true;

    public void Observe(string line)
    {
        StackOverflow |= line.Contains("Stack overflow", StringComparison.Ordinal);
        OutOfMemory |= line.Contains("OutOfMemoryException", StringComparison.Ordinal) || line.Contains("Out of memory", StringComparison.OrdinalIgnoreCase);
    }
}
