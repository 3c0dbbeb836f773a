using System.Text.Json;
using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>
/// The worker's side: reads one <see cref="WorkerRequest"/> per line on standard input, extracts the file in process and
/// answers with <see cref="WorkerMessage"/> lines on standard output, until standard input closes. Anything else that
/// writes to the console goes to standard error, so the answer channel carries only answers.
/// </summary>
public static class WorkerLoop
{
    /// <summary>Exit code after an allocation failed: the heap may be in a state no further file should meet.</summary>
    public const int ExitAfterOutOfMemory = 3;

    // Parsers catch and wrap what they throw (PdfPig turns a failed allocation into a damaged-file error and the PDF
    // goes to poppler); an allocation that failed anywhere during the file still means the memory limit was hit.
    private static volatile bool _allocationFailed;

    /// <param name="optionsPath">The <see cref="ExtractionOptions"/> as JSON, written by the service.</param>
    public static async Task<int> RunAsync(string optionsPath)
    {
        var options = JsonSerializer.Deserialize<ExtractionOptions>(await File.ReadAllTextAsync(optionsPath), WorkerJson.Options)
            ?? throw new InvalidOperationException($"{optionsPath} holds no extraction options.");
        var extractor = new DocumentExtractor(options);
        AppDomain.CurrentDomain.FirstChanceException += (_, e) => _allocationFailed |= e.Exception is OutOfMemoryException;
        await using var answers = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        using var requests = new StreamReader(Console.OpenStandardInput());
        while (await requests.ReadLineAsync() is { } line)
        {
            var request = JsonSerializer.Deserialize<WorkerRequest>(line, WorkerJson.Options)
                ?? throw new InvalidDataException("An empty request reached the extraction worker.");
            CpuTimeLimit.AllowFromNow(request.CpuSeconds);
            _allocationFailed = false;
            var (answer, outOfMemory) = await ExtractAsync(extractor, request, answers);
            if (_allocationFailed && answer.Error is { } error && error.Kind != WorkerErrorKinds.OutOfMemory)
            {
                answer = Error(WorkerErrorKinds.OutOfMemory, error.Message, error.Extractor);
            }

            outOfMemory |= _allocationFailed;
            await WriteAsync(answers, answer);
            if (outOfMemory)
            {
                return ExitAfterOutOfMemory;
            }
        }

        return 0;
    }

    private static async Task<(WorkerMessage Answer, bool OutOfMemory)> ExtractAsync(DocumentExtractor extractor, WorkerRequest request, Stream answers)
    {
        string? name = null;
        try
        {
            var content = await File.ReadAllBytesAsync(request.InputPath);
            var document = await extractor.ExtractAsync(content, request.FileName, request.ContentType,
                format =>
                {
                    name = DocumentExtractor.ExtractorName(format);
                    WriteAsync(answers, new WorkerMessage { Extractor = name }).GetAwaiter().GetResult();
                },
                CancellationToken.None);
            return (new WorkerMessage { Document = WorkerDocument.From(document) }, false);
        }
        catch (ExtractionException e)
        {
            return (Error(e.Failure.ToString(), e.Message, e.Extractor ?? name), false);
        }
        catch (OutOfMemoryException)
        {
            return (Error(WorkerErrorKinds.OutOfMemory, "out of memory", name), true);
        }
        catch (InvalidOperationException e)
        {
            return (Error(WorkerErrorKinds.ServerFault, e.Message, name), false);
        }
        catch (Exception e)
        {
            return (Error(WorkerErrorKinds.Unexpected, $"{e.GetType().Name}: {e.Message}", name), false);
        }
    }

    private static WorkerMessage Error(string kind, string message, string? extractor) => new() { Error = new WorkerError(kind, message, extractor) };

    private static async Task WriteAsync(Stream answers, WorkerMessage message)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, WorkerJson.Options);
        await answers.WriteAsync(bytes);
        answers.WriteByte((byte)'\n');
        await answers.FlushAsync();
    }
}
