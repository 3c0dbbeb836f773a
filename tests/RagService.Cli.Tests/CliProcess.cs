using System.Diagnostics;

namespace RagService.Cli.Tests;

/// <summary>Runs `dotnet rag.dll ...` as a user would and collects its exit code and output (killed after two minutes).</summary>
internal static class CliProcess
{
    /// <param name="environment">Variables set for the process only (e.g. RAG_API_KEY).</param>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string ragDll, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null) =>
        RunProgramAsync("dotnet", [ragDll, .. args], environment);

    /// <summary>Runs any program the same way (e.g. node or npm for the Node clients), optionally in <paramref name="workingDirectory"/>.</summary>
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
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
