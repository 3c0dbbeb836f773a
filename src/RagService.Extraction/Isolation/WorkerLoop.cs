using System.Text.Json;
using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>
/// The worker's side: reads one request frame at a time on standard input (<see cref="WorkerFrames"/>), extracts the
/// file in process and answers with frames on standard output, until standard input closes. Anything else that writes
/// to the console goes to standard error, so the answer channel carries only answers.
/// </summary>
/// <remarks>
/// The loop runs on a pool thread and reads the pipe with blocking reads. A file then wakes one thread: the one
/// blocked in the read. PdfPig's reading task, queued from that thread, is usually taken by the same thread once it
/// awaits, and the answer is written from the thread that finished the document, so no thread waits for another to
/// be scheduled (a blocked main thread would be woken once more per file, which on a loaded machine costs more
/// than a small PDF's extraction).
/// </remarks>
public static class WorkerLoop
{
    /// <summary>Exit code after an allocation failed: the heap may be in a state no further file should meet.</summary>
    public const int ExitAfterOutOfMemory = 3;

    // Parsers catch and wrap what they throw (PdfPig turns a failed allocation into a damaged-file error and the PDF
    // goes to poppler); an allocation that failed anywhere during the file still means the memory limit was hit.
    private static volatile bool _allocationFailed;

    /// <param name="optionsPath">The <see cref="ExtractionOptions"/> as JSON, written by the service.</param>
    /// <param name="warmUp">Extract <see cref="WarmUpDocuments"/> on start, so that the first request meets compiled code.</param>
    public static int Run(string optionsPath, bool warmUp) => Task.Run(() => RunAsync(optionsPath, warmUp)).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string optionsPath, bool warmUp)
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
            // Beside the loop, not before it: a file that arrives meanwhile is not kept waiting for the warm-up.
            _ = Task.Run(() => WarmUpDocuments.Extract(extractor));
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
            var (answer, outOfMemory) = await ExtractAsync(extractor, request, name => status.Write(file, name));
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
    private static async Task<(object Answer, bool OutOfMemory)> ExtractAsync(DocumentExtractor extractor, WorkerRequest request, Action<string> onExtractor)
    {
        string? name = null;
        try
        {
            var document = await extractor.ExtractAsync(request.Content, request.FileName, request.ContentType,
                format =>
                {
                    name = DocumentExtractor.ExtractorName(format);
                    onExtractor(name);
                },
                CancellationToken.None);
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
