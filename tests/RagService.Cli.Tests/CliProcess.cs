using System.Diagnostics;

namespace RagService.Cli.Tests;

/// <summary>Runs `dotnet rag.dll ...` (or any program) as a user would and collects its exit code and output (killed after five minutes).</summary>
internal static class CliProcess
{
    /// <param name="environment">Variables set for the process only (e.g. RAG_API_KEY).</param>
    /// <param name="workingDirectory">The folder it runs in (relative paths and defaults resolve there); the test's own when null.</param>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string ragDll, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        RunProgramAsync("dotnet", [ragDll, .. args], environment, workingDirectory);

    /// <param name="program">An executable on PATH or a path to one (e.g. an installed .NET tool, or node and npm for the Node clients).</param>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunProgramAsync(string program, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
