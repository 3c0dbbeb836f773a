using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RagService.Core.Documents;
using RagService.Extraction.Processes;

namespace RagService.Extraction.Isolation;

/// <summary>
/// One worker process as the service sees it: started under setsid + prlimit (RLIMIT_DATA, RLIMIT_AS, no core
/// dumps), fed one file at a time through a private folder, answered in JSON lines. A worker that dies, overruns its
/// wall-clock bound or its answer size is killed with everything it started and is not used again.
/// </summary>
internal sealed class ExtractionWorker : IDisposable
{
    private readonly Process _process;
    private readonly bool _ownGroup;
    private readonly PrivateTempDirectory _folder;
    private readonly ExtractionIsolationOptions _limits;
    private readonly WorkerCrashOutput _crash = new();
    private readonly Task _stderr;
    private readonly LineReader _answers;
    private int _files;

    private ExtractionWorker(Process process, bool ownGroup, PrivateTempDirectory folder, ExtractionIsolationOptions limits)
    {
        _process = process;
        _ownGroup = ownGroup;
        _folder = folder;
        _limits = limits;
        _answers = new LineReader(process.StandardOutput.BaseStream, limits.MaxOutputBytes);
        _stderr = Task.Run(DrainStandardErrorAsync);
    }

    /// <summary>False once the worker died, was killed or has served its quota of files.</summary>
    public bool Usable { get; private set; } = true;

    public int ProcessId => _process.Id;

    public static ExtractionWorker Start(ExtractionOptions extraction, ExtractionIsolationOptions limits)
    {
        var dotnet = DotnetHost(limits) ?? throw new InvalidOperationException("The dotnet host that runs the extraction worker was not found; set Rag:Extraction:DotnetPath.");
        var workerDll = limits.WorkerPath ?? Path.Combine(AppContext.BaseDirectory, "RagService.Extraction.Worker.dll");
        if (!File.Exists(workerDll))
        {
            throw new InvalidOperationException($"The extraction worker '{workerDll}' does not exist; set Rag:Extraction:WorkerPath or Rag:Extraction:Isolation=InProcess.");
        }

        var folder = PrivateTempDirectory.Create(extraction.TempDirectory);
        try
        {
            var optionsPath = Path.Combine(folder.Path, "options.json");
            File.WriteAllText(optionsPath, JsonSerializer.Serialize(extraction with { TempDirectory = folder.Path }, WorkerJson.Options));
            string[] prlimits = [$"--data={limits.MemoryLimitBytes}", $"--as={limits.MemoryLimitBytes + limits.AddressSpaceHeadroomBytes}", "--core=0"];
            var startInfo = ProcessGroup.StartInfo(extraction, dotnet, prlimits, [workerDll, optionsPath], out var ownGroup);
            startInfo.StandardErrorEncoding = Encoding.UTF8;
            startInfo.Environment["DOTNET_gcServer"] = "0";
            startInfo.Environment["DOTNET_DbgEnableMiniDump"] = "0";
            // glibc's 64 MiB arena per thread would spend the address-space bound on nothing.
            startInfo.Environment["MALLOC_ARENA_MAX"] = "2";
            var process = new Process { StartInfo = startInfo };
            try
            {
                process.Start();
            }
            catch (Win32Exception ex)
            {
                process.Dispose();
                throw new InvalidOperationException($"Could not start the extraction worker '{dotnet} {workerDll}': {ex.Message}", ex);
            }

            return new ExtractionWorker(process, ownGroup, folder, limits);
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Extracts one file in the worker.</summary>
    /// <exception cref="ExtractionException">The file was refused, or the worker died on it, overran its bounds or its answer size.</exception>
    /// <exception cref="InvalidOperationException">The worker reports a server fault (a tool is missing).</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled; the worker was killed.</exception>
    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, string? fileName, string? contentType, CancellationToken cancellationToken)
    {
        var job = Path.Combine(_folder.Path, "job-" + Interlocked.Increment(ref _files));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(job);
        }
        else
        {
            Directory.CreateDirectory(job, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string? extractor = null;
        using var wallClock = new CancellationTokenSource(_limits.WallTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wallClock.Token);
        // A read blocked on the pipe ends when the worker is killed, whether or not the pipe honours the token.
        using var killOnCancel = linked.Token.Register(Kill);
        try
        {
            var input = Path.Combine(job, "input");
            await File.WriteAllBytesAsync(input, content, cancellationToken).ConfigureAwait(false);
            var request = new WorkerRequest(input, fileName, contentType, (long)Math.Ceiling(_limits.CpuTimeLimit.TotalSeconds));
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request, WorkerJson.Options).AsMemory(), linked.Token).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync(linked.Token).ConfigureAwait(false);
            while (true)
            {
                var line = await _answers.ReadLineAsync(linked.Token).ConfigureAwait(false);
                if (line is null)
                {
                    linked.Token.ThrowIfCancellationRequested();
                    throw await DiedAsync(extractor).ConfigureAwait(false);
                }

                var message = JsonSerializer.Deserialize<WorkerMessage>(line, WorkerJson.Options)
                    ?? throw new InvalidDataException("The extraction worker answered an empty message.");
                extractor = message.Extractor ?? extractor;
                if (message.Document is { } document)
                {
                    if (_files >= _limits.MaxFilesPerWorker)
                    {
                        Usable = false;
                    }

                    return document.ToDocument();
                }

                if (message.Error is { } error)
                {
                    throw Refusal(error);
                }
            }
        }
        catch (OperationCanceledException) when (wallClock.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new ExtractionException($"the extractor{(extractor is null ? "" : $" ({extractor})")} did not finish within {_limits.WallTimeout.TotalSeconds:0} s ({ExtractionIsolationOptions.SectionName}:WallTimeout); the document was not indexed.",
                ExtractionFailure.TimedOut) { Extractor = extractor };
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        catch (AnswerTooLargeException)
        {
            Kill();
            throw new ExtractionException($"the extracted text takes more than {WorkerDeath.Bytes(_limits.MaxOutputBytes)} ({ExtractionIsolationOptions.SectionName}:MaxOutputBytes); the document was not indexed.",
                ExtractionFailure.TooLarge) { Extractor = extractor };
        }
        catch (IOException) when (_process.HasExited || !Usable)
        {
            // Standard input broke: the worker died before it read the request.
            throw await DiedAsync(extractor).ConfigureAwait(false);
        }
        finally
        {
            DeleteQuietly(job);
        }
    }

    private Exception Refusal(WorkerError error)
    {
        switch (error.Kind)
        {
            case WorkerErrorKinds.OutOfMemory:
                Usable = false;
                return new ExtractionException(WorkerDeath.OutOfMemory("the extractor" + (error.Extractor is null ? "" : $" ({error.Extractor})"), _limits) + "; the document was not indexed.",
                    ExtractionFailure.Crashed) { Extractor = error.Extractor };
            case WorkerErrorKinds.ServerFault:
                return new InvalidOperationException(error.Message);
            case WorkerErrorKinds.Unexpected:
                return new ExtractionException($"The file could not be read ({error.Message}).", ExtractionFailure.Unreadable) { Extractor = error.Extractor };
            default:
                var failure = Enum.TryParse<ExtractionFailure>(error.Kind, out var f) ? f : ExtractionFailure.Unreadable;
                return new ExtractionException(error.Message, failure) { Extractor = error.Extractor };
        }
    }

    private async Task<ExtractionException> DiedAsync(string? extractor)
    {
        Usable = false;
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int? exitCode = null;
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            await _stderr.WaitAsync(grace.Token).ConfigureAwait(false);
            exitCode = _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            // Closed its output but lingers: killed below, cause unknown.
        }

        Kill();
        return WorkerDeath.Describe(exitCode, _crash, _limits, extractor);
    }

    private async Task DrainStandardErrorAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                _crash.Observe(line);
                if (_crash.StackOverflow)
                {
                    // The runtime is dying; it would first print every frame (megabytes, minutes for a deep parse).
                    Kill();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Kill()
    {
        Usable = false;
        ProcessGroup.KillTree(_process, _ownGroup);
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string? DotnetHost(ExtractionIsolationOptions limits)
    {
        if (limits.DotnetPath is { } configured)
        {
            return ExecutableLocator.Find(configured);
        }

        // shared/Microsoft.NETCore.App/<version>/ → the dotnet host three levels up.
        var beside = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return File.Exists(beside) ? beside : ExecutableLocator.Find("dotnet");
    }

    public void Dispose()
    {
        Kill();
        try
        {
            _process.StandardInput.Dispose();
        }
        catch (IOException)
        {
        }

        _process.Dispose();
        _folder.Dispose();
    }

    /// <summary>Reads newline-terminated byte lines, refusing a line longer than the bound.</summary>
    private sealed class LineReader(Stream stream, long maxLineBytes)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new MemoryStream();
            while (true)
            {
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                var take = (newline >= 0 ? newline : _end) - _start;
                if (line.Length + take > maxLineBytes)
                {
                    throw new AnswerTooLargeException();
                }

                line.Write(_buffer, _start, take);
                if (newline >= 0)
                {
                    _start = newline + 1;
                    return Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
                }

                _start = _end = 0;
                var read = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return null;
                }

                _end = read;
            }
        }
    }

    private sealed class AnswerTooLargeException : Exception;
}
