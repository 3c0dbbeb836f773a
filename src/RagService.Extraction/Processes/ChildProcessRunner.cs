using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using RagService.Core.Documents;

namespace RagService.Extraction.Processes;

/// <summary>Exit code and captured output of a finished child process.</summary>
public sealed record ChildProcessResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Runs an external tool (pdftotext, pdftoppm, tesseract) with a wall-clock bound, an address-space bound
/// (prlimit --as) and a bounded amount of captured output. The tool runs in its own session (setsid), so on
/// timeout, cancellation or completion the whole process group is killed: no orphan survives the call.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim needs disposing only when its wait handle is used; the runner lives as long as the service.")]
public sealed partial class ChildProcessRunner(ExtractionOptions options)
{
    private const int MaxStandardErrorChars = 16 * 1024;
    private const int SigKill = 9;

    // OCR is CPU-bound: many uploads at once must queue rather than start a tesseract each.
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.MaxConcurrentChildProcesses));

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Runs <paramref name="tool"/> and returns its result whatever the exit code.</summary>
    /// <param name="what">Human description for messages, e.g. "pdftotext".</param>
    /// <param name="timeoutSetting">The configuration key that sets <paramref name="timeout"/>, named in the TimedOut message.</param>
    /// <exception cref="ExtractionException">TimedOut after <paramref name="timeout"/>; TooLarge when the output exceeds MaxExtractedChars.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; the child has been killed.</exception>
    public async Task<ChildProcessResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan timeout, string what, string timeoutSetting, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RunExclusiveAsync(tool, arguments, timeout, what, timeoutSetting, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<ChildProcessResult> RunExclusiveAsync(string tool, IEnumerable<string> arguments, TimeSpan timeout, string what, string timeoutSetting, CancellationToken cancellationToken)
    {
        var command = new List<string>();
        var setsid = ExecutableLocator.Find(options.SetsidPath);
        var ownGroup = setsid is not null;
        if (setsid is not null)
        {
            command.Add(setsid);
        }

        if (options.ChildProcessMemoryLimitBytes > 0 && ExecutableLocator.Find(options.PrlimitPath) is { } prlimit)
        {
            command.AddRange([prlimit, $"--as={options.ChildProcessMemoryLimitBytes}", "--"]);
        }

        command.Add(ExecutableLocator.Find(tool) ?? throw new InvalidOperationException($"The extraction tool '{tool}' was not found; run deploy/setup.sh (poppler-utils, tesseract-ocr) or set its path in the Extraction options."));
        command.AddRange(arguments);

        var startInfo = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in command.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }
        // One OCR thread per child: the service already runs extractions in parallel, and OpenMP threads oversubscribe the CPUs.
        startInfo.Environment["OMP_THREAD_LIMIT"] = "1";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start '{command[0]}': {ex.Message}", ex);
        }
        process.StandardInput.Close();

        using var timeoutCts = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var stdout = new BoundedReader(process.StandardOutput, options.MaxExtractedChars, () => KillTree(process, ownGroup));
        var stderr = new BoundedReader(process.StandardError, MaxStandardErrorChars, onOverflow: null);
        var readers = Task.WhenAll(stdout.ReadAsync(linked.Token), stderr.ReadAsync(linked.Token));
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            KillTree(process, ownGroup);
            await readers.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillTree(process, ownGroup);
            // The readers end with the killed pipes (or with the cancelled token); observe them so nothing is left unobserved.
            _ = readers.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ExtractionException($"{what} did not finish within {timeout.TotalSeconds:0.#} s (Extraction:{timeoutSetting}); the document was not indexed.", ExtractionFailure.TimedOut);
        }
        finally
        {
            KillTree(process, ownGroup);
        }

        if (stdout.Overflowed)
        {
            throw new ExtractionException($"{what} produced more than {options.MaxExtractedChars} characters (Extraction:MaxExtractedChars).", ExtractionFailure.TooLarge);
        }

        return new ChildProcessResult(process.ExitCode, stdout.Text, stderr.Text);
    }

    // Kills the child's whole process group (it is the group leader thanks to setsid) and, as a fallback,
    // the descendants .NET can see. Safe to call after the child has exited.
    private static void KillTree(Process process, bool ownGroup)
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

    /// <summary>Reads a stream to the end, keeping at most <c>limit</c> characters; on overflow calls <c>onOverflow</c> (or drops the rest).</summary>
    private sealed class BoundedReader(StreamReader reader, int limit, Action? onOverflow)
    {
        private readonly StringBuilder _text = new();

        public bool Overflowed { get; private set; }

        public string Text => _text.ToString();

        public async Task ReadAsync(CancellationToken cancellationToken)
        {
            var buffer = new char[16 * 1024];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (_text.Length + read > limit)
                {
                    if (!Overflowed)
                    {
                        onOverflow?.Invoke();
                    }

                    Overflowed = true;
                    continue; // keep draining: a child blocked on a full pipe would never exit
                }
                _text.Append(buffer, 0, read);
            }
        }
    }
}
