using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RagService.Core.Documents;
using RagService.Extraction.Processes;

namespace RagService.Extraction.Isolation;

/// <summary>
/// One worker process as the service sees it: started under setsid + prlimit (RLIMIT_DATA, RLIMIT_AS, no core
/// dumps), fed one file at a time over its standard input and answered in frames (<see cref="WorkerFrames"/>) on its
/// standard output. A worker that dies, overruns its wall-clock bound or its answer size is killed with everything it
/// started and is not used again.
/// </summary>
internal sealed class ExtractionWorker : IDisposable
{
    private readonly Process _process;
    private readonly bool _ownGroup;
    private readonly PrivateTempDirectory _folder;
    private readonly ExtractionIsolationOptions _limits;
    private readonly WorkerCrashOutput _crash = new();
    private readonly Task _stderr;
    private readonly Stream _requests;
    private readonly Stream _answers;
    private readonly byte[] _header = new byte[WorkerFrames.HeaderBytes];
    private int _files;

    // Files up to this size travel in the request frame itself: one write, one wake-up of the worker.
    private const int InlineContentBytes = 256 * 1024;

    private readonly WorkerCgroup? _cgroup;

    private ExtractionWorker(Process process, bool ownGroup, PrivateTempDirectory folder, ExtractionIsolationOptions limits, WorkerCgroup? cgroup)
    {
        _cgroup = cgroup;
        _process = process;
        _ownGroup = ownGroup;
        _folder = folder;
        _limits = limits;
        _requests = process.StandardInput.BaseStream;
        _answers = process.StandardOutput.BaseStream;
        _stderr = Task.Run(DrainStandardErrorAsync);
    }

    /// <summary>False once the worker died, was killed or has served its quota of files.</summary>
    public bool Usable { get; private set; } = true;

    public int ProcessId => _process.Id;

    public static ExtractionWorker Start(ExtractionOptions extraction, ExtractionIsolationOptions limits, MemoryLimitMechanism memoryLimit)
    {
        var dotnet = DotnetHost(limits) ?? throw new InvalidOperationException("The dotnet host that runs the extraction worker was not found; set Rag:Extraction:DotnetPath.");
        var workerDll = limits.WorkerPath ?? Path.Combine(AppContext.BaseDirectory, "RagService.Extraction.Worker.dll");
        if (!File.Exists(workerDll))
        {
            throw new InvalidOperationException($"The extraction worker '{workerDll}' does not exist; set Rag:Extraction:WorkerPath or Rag:Extraction:Isolation=InProcess.");
        }

        var folder = PrivateTempDirectory.Create(extraction.TempDirectory);
        WorkerCgroup? cgroup = null;
        try
        {
            var optionsPath = Path.Combine(folder.Path, "options.json");
            File.WriteAllText(optionsPath, JsonSerializer.Serialize(extraction with { TempDirectory = folder.Path }, WorkerLoop.JsonOptions));
            // With a cgroup, memory.max bounds what the worker really uses; RLIMIT_AS stays as the guard against runaway reservations.
            string[] prlimits = memoryLimit.UsesCgroup
                ? [$"--as={limits.MemoryLimitBytes + limits.AddressSpaceHeadroomBytes}", "--core=0"]
                : [$"--data={limits.MemoryLimitBytes}", $"--as={limits.MemoryLimitBytes + limits.AddressSpaceHeadroomBytes}", "--core=0"];
            if (memoryLimit.CgroupParent is not null)
            {
                cgroup = WorkerCgroup.Create(memoryLimit.CgroupParent, limits.MemoryLimitBytes);
            }

            var startInfo = ProcessGroup.StartInfo(extraction, dotnet, prlimits, limits.WarmUpWorkers ? [workerDll, optionsPath, WorkerLoop.WarmUpArgument] : [workerDll, optionsPath], out var ownGroup);
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

            try
            {
                // Before the first request: no file reaches the worker outside its cgroup.
                cgroup?.Add(process.Id);
            }
            catch
            {
                ProcessGroup.KillTree(process, ownGroup);
                process.Dispose();
                throw;
            }

            return new ExtractionWorker(process, ownGroup, folder, limits, cgroup);
        }
        catch
        {
            cgroup?.Dispose();
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
        using var wallClock = new CancellationTokenSource(_limits.WallTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wallClock.Token);
        // A read blocked on the pipe ends when the worker is killed, whether or not the pipe honours the token.
        using var killOnCancel = linked.Token.Register(Kill);
        try
        {
            var request = new WorkerRequest(fileName, contentType, (long)Math.Ceiling(_limits.CpuTimeLimit.TotalSeconds), content);
            _files++;
            var (head, contentIncluded) = WorkerFrames.Request(request, InlineContentBytes);
            await _requests.WriteAsync(head, linked.Token).ConfigureAwait(false);
            if (!contentIncluded)
            {
                await _requests.WriteAsync(content, linked.Token).ConfigureAwait(false);
            }

            await _requests.FlushAsync(linked.Token).ConfigureAwait(false);
            while (true)
            {
                if (await ReadFrameAsync(linked.Token).ConfigureAwait(false) is not var (kind, payload))
                {
                    linked.Token.ThrowIfCancellationRequested();
                    throw await DiedAsync().ConfigureAwait(false);
                }

                switch (kind)
                {
                    case WorkerFrameKind.Document:
                        if (_files >= _limits.MaxFilesPerWorker)
                        {
                            Usable = false;
                        }

                        return WorkerFrames.ReadDocument(payload);
                    case WorkerFrameKind.Error:
                        throw Refusal(WorkerFrames.ReadError(payload));
                    default:
                        throw new InvalidDataException($"The extraction worker answered a {kind} frame.");
                }
            }
        }
        catch (OperationCanceledException) when (wallClock.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Kill();
            var extractor = CurrentExtractor();
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
            var extractor = CurrentExtractor();
            throw new ExtractionException($"the extracted text takes more than {WorkerDeath.Bytes(_limits.MaxOutputBytes)} ({ExtractionIsolationOptions.SectionName}:MaxOutputBytes); the document was not indexed.",
                ExtractionFailure.TooLarge) { Extractor = extractor };
        }
        catch (IOException) when (_process.HasExited || !Usable)
        {
            // Standard input broke: the worker died before it read the request.
            throw await DiedAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One answer frame; null when the pipe ends before one starts (the worker died).</summary>
    private async Task<(WorkerFrameKind Kind, byte[] Payload)?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        try
        {
            var read = await _answers.ReadAtLeastAsync(_header, _header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read < _header.Length)
            {
                return null;
            }

            var (kind, length) = WorkerFrames.ReadHeader(_header);
            if (length > _limits.MaxOutputBytes)
            {
                throw new AnswerTooLargeException();
            }

            var payload = new byte[length];
            await _answers.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
            return (kind, payload);
        }
        catch (EndOfStreamException)
        {
            return null;
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

    /// <summary>The extractor the worker started on the current file, as its status file says; null before it started one.</summary>
    private string? CurrentExtractor() => WorkerStatusFile.Read(_folder.Path, _files);

    private async Task<ExtractionException> DiedAsync()
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
        if (_cgroup?.OomKilled() == true)
        {
            _crash.OomKilled();
        }

        return WorkerDeath.Describe(exitCode, _crash, _limits, CurrentExtractor());
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

        if (_cgroup is not null)
        {
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            _cgroup.Dispose();
        }

        _process.Dispose();
        _folder.Dispose();
    }

    private sealed class AnswerTooLargeException : Exception;
}
