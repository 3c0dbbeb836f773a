using System.ComponentModel;
using System.Diagnostics;
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
public sealed class ChildProcessRunner(ExtractionOptions options)
{
    private const int MaxStandardErrorChars = 16 * 1024;

    // OCR is CPU-bound: many uploads at once must queue rather than start a tesseract each.
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.MaxConcurrentChildProcesses));

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
        var executable = ExecutableLocator.Find(tool) ?? throw new InvalidOperationException($"The extraction tool '{tool}' was not found; run deploy/setup.sh (poppler-utils, tesseract-ocr) or set its path in the Extraction options.");
        var startInfo = ProcessGroup.StartInfo(options, executable, Limits(timeout), arguments, out var ownGroup);
        startInfo.StandardOutputEncoding = Encoding.UTF8;
        startInfo.StandardErrorEncoding = Encoding.UTF8;
        // One OCR thread per child: the service already runs extractions in parallel, and OpenMP threads oversubscribe the CPUs.
        startInfo.Environment["OMP_THREAD_LIMIT"] = "1";

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start '{startInfo.FileName}': {ex.Message}", ex);
        }
        process.StandardInput.Close();

        using var timeoutCts = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var stdout = new BoundedReader(process.StandardOutput, options.MaxExtractedChars, () => ProcessGroup.KillTree(process, ownGroup));
        var stderr = new BoundedReader(process.StandardError, MaxStandardErrorChars, onOverflow: null);
        var readers = Task.WhenAll(stdout.ReadAsync(linked.Token), stderr.ReadAsync(linked.Token));
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            ProcessGroup.KillTree(process, ownGroup);
            await readers.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ProcessGroup.KillTree(process, ownGroup);
            // The readers end with the killed pipes (or with the cancelled token); observe them so nothing is left unobserved.
            _ = readers.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ExtractionException($"{what} did not finish within {timeout.TotalSeconds:0.#} s (Extraction:{timeoutSetting}); the document was not indexed.", ExtractionFailure.TimedOut);
        }
        finally
        {
            ProcessGroup.KillTree(process, ownGroup);
        }

        if (stdout.Overflowed)
        {
            throw new ExtractionException($"{what} produced more than {options.MaxExtractedChars} characters (Extraction:MaxExtractedChars).", ExtractionFailure.TooLarge);
        }

        return new ChildProcessResult(process.ExitCode, stdout.Text, stderr.Text);
    }

    // Address space as configured; CPU time no more than the wall-clock bound, so a child orphaned by a dying worker still ends.
    private List<string> Limits(TimeSpan timeout)
    {
        var limits = new List<string> { $"--cpu={Math.Max(1, (long)Math.Ceiling(timeout.TotalSeconds))}" };
        if (options.ChildProcessMemoryLimitBytes > 0)
        {
            limits.Add($"--as={options.ChildProcessMemoryLimitBytes}");
        }

        return limits;
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
