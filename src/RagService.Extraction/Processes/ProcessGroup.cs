using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RagService.Extraction.Processes;

/// <summary>
/// Builds the command line that starts a tool in its own session (setsid) under OS resource limits (prlimit), and
/// kills such a tool with everything it started. Shared by the short-lived tools (pdftotext, tesseract) and the
/// long-lived extraction workers.
/// </summary>
public static partial class ProcessGroup
{
    private const int SigKill = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>
    /// The command for <paramref name="executable"/> wrapped in setsid and prlimit (each when found), with the given
    /// prlimit arguments such as <c>--as=BYTES</c>. <paramref name="ownGroup"/> says whether setsid is in effect.
    /// </summary>
    public static ProcessStartInfo StartInfo(ExtractionOptions options, string executable, IEnumerable<string> limits, IEnumerable<string> arguments, out bool ownGroup)
    {
        var command = new List<string>();
        var setsid = ExecutableLocator.Find(options.SetsidPath);
        ownGroup = setsid is not null;
        if (setsid is not null)
        {
            command.Add(setsid);
        }

        var prlimitArguments = limits.ToList();
        if (prlimitArguments.Count > 0 && ExecutableLocator.Find(options.PrlimitPath) is { } prlimit)
        {
            command.Add(prlimit);
            command.AddRange(prlimitArguments);
            command.Add("--");
        }

        command.Add(executable);
        command.AddRange(arguments);
        var startInfo = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }

    /// <summary>
    /// Kills the process's whole group (it leads one thanks to setsid) and, as a fallback, the descendants .NET can
    /// see. Safe to call after the process has exited.
    /// </summary>
    public static void KillTree(Process process, bool ownGroup)
    {
        int pid;
        try
        {
            pid = process.Id;
        }
        catch (InvalidOperationException)
        {
            return;
        }
        if (ownGroup)
        {
            _ = Kill(-pid, SigKill);
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (Win32Exception)
        {
            // Already gone.
        }
    }
}
