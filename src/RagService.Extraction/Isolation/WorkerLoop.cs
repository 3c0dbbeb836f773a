using System.Text.Json;
using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>
/// The worker's side: reads one request frame at a time on standard input (<see cref="WorkerFrames"/>), extracts the
/// file in process and answers with frames on standard output, until standard input closes. Anything else that writes
/// to the console goes to standard error, so the answer channel carries only answers. The loop blocks on the pipe on
/// its own thread: a file costs no hop through the thread pool to arrive or to be answered.
/// </summary>
public static class WorkerLoop
{
    /// <summary>Exit code after an allocation failed: the heap may be in a state no further file should meet.</summary>
    public const int ExitAfterOutOfMemory = 3;

    // Parsers catch and wrap what they throw (PdfPig turns a failed allocation into a damaged-file error and the PDF
    // goes to poppler); an allocation that failed anywhere during the file still means the memory limit was hit.
    private static volatile bool _allocationFailed;

    /// <param name="optionsPath">The <see cref="ExtractionOptions"/> as JSON, written by the service.</param>
    /// <param name="warmUp">Extract <see cref="WarmUpDocuments"/> before the first request, so that it meets compiled code.</param>
    public static int Run(string optionsPath, bool warmUp)
    {
        var options = JsonSerializer.Deserialize<ExtractionOptions>(File.ReadAllText(optionsPath), JsonOptions)
            ?? throw new InvalidOperationException($"{optionsPath} holds no extraction options.");
        var extractor = new DocumentExtractor(options);
        AppDomain.CurrentDomain.FirstChanceException += (_, e) => _allocationFailed |= e.Exception is OutOfMemoryException;
        using var answers = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        using var requests = Console.OpenStandardInput();
        using var status = WorkerStatusFile.Open(Path.GetDirectoryName(Path.GetFullPath(optionsPath))!);
        var files = 0;
        if (warmUp)
        {
            WarmUpDocuments.Extract(extractor);
        }

        while (WorkerFrames.ReadBlocking(requests) is var (kind, payload))
        {
            if (kind != WorkerFrameKind.Request)
            {
                throw new InvalidDataException($"The extraction worker expects requests, not {kind}.");
            }

            var request = WorkerFrames.ReadRequest(payload);
            CpuTimeLimit.AllowFromNow(request.CpuSeconds);
            _allocationFailed = false;
            var file = ++files;
            var (answer, outOfMemory) = Extract(extractor, request, name => status.Write(file, name));
            if (_allocationFailed && answer is WorkerError error && error.Kind != WorkerErrorKinds.OutOfMemory)
            {
                answer = new WorkerError(WorkerErrorKinds.OutOfMemory, error.Message, error.Extractor);
            }

            outOfMemory |= _allocationFailed;
            answers.Write(answer is WorkerError e ? WorkerFrames.Error(e) : WorkerFrames.Document((ExtractedDocument)answer));
            answers.Flush();
            if (outOfMemory)
            {
                return ExitAfterOutOfMemory;
            }
        }

        return 0;
    }

    /// <summary>The command-line flag that asks the worker to warm up first.</summary>
    public const string WarmUpArgument = "--warm-up";

    /// <summary>The service writes <see cref="ExtractionOptions"/> with these settings and the worker reads them back.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    /// <returns>The document, or the <see cref="WorkerError"/> that ends the file.</returns>
    private static (object Answer, bool OutOfMemory) Extract(DocumentExtractor extractor, WorkerRequest request, Action<string> onExtractor)
    {
        string? name = null;
        try
        {
            var document = extractor.ExtractAsync(request.Content, request.FileName, request.ContentType,
                format =>
                {
                    name = DocumentExtractor.ExtractorName(format);
                    onExtractor(name);
                },
                CancellationToken.None).GetAwaiter().GetResult();
            return (document, false);
        }
        catch (ExtractionException e)
        {
            return (new WorkerError(e.Failure.ToString(), e.Message, e.Extractor ?? name), false);
        }
        catch (OutOfMemoryException)
        {
            return (new WorkerError(WorkerErrorKinds.OutOfMemory, "out of memory", name), true);
        }
        catch (InvalidOperationException e)
        {
            return (new WorkerError(WorkerErrorKinds.ServerFault, e.Message, name), false);
        }
        catch (Exception e)
        {
            return (new WorkerError(WorkerErrorKinds.Unexpected, $"{e.GetType().Name}: {e.Message}", name), false);
        }
    }
}
