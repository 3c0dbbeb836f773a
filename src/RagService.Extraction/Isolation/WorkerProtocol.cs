using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>One file for the worker: it lies in a private folder the service created and removes after the answer.</summary>
/// <param name="CpuSeconds">CPU time the worker may spend on this file (RLIMIT_CPU counted from now).</param>
public sealed record WorkerRequest(string InputPath, string? FileName, string? ContentType, long CpuSeconds);

/// <summary>
/// One line the worker writes on its standard output: first which extractor runs (so a crash can be attributed),
/// then the document or the error that ends the file.
/// </summary>
public sealed record WorkerMessage
{
    public string? Extractor { get; init; }
    public WorkerDocument? Document { get; init; }
    public WorkerError? Error { get; init; }

    [JsonIgnore]
    public bool IsFinal => Document is not null || Error is not null;
}

/// <summary>The extracted document as it crosses the process boundary.</summary>
public sealed record WorkerDocument(string? Title, IReadOnlyList<DocumentBlock> Blocks, string Format, IReadOnlyDictionary<string, string> Report, IReadOnlyList<string> Warnings)
{
    public static WorkerDocument From(ExtractedDocument d) => new(d.Title, d.Blocks, d.Format, d.Report, d.Warnings);

    public ExtractedDocument ToDocument() => new(Title, Blocks, Format) { Report = Report, Warnings = Warnings };
}

/// <param name="Kind">An <see cref="ExtractionFailure"/> name, or <see cref="WorkerErrorKinds"/>' out of memory / server fault / unexpected error.</param>
public sealed record WorkerError(string Kind, string Message, string? Extractor);

/// <summary>Error kinds besides the <see cref="ExtractionFailure"/> names.</summary>
public static class WorkerErrorKinds
{
    /// <summary>An allocation failed under the worker's memory limit; the worker exits after answering.</summary>
    public const string OutOfMemory = nameof(OutOfMemory);

    /// <summary>The server is misconfigured (a tool is missing): the service's fault, not the file's (HTTP 500).</summary>
    public const string ServerFault = nameof(ServerFault);

    /// <summary>A parser threw something no extractor expected; the file is refused as unreadable.</summary>
    public const string Unexpected = nameof(Unexpected);
}

/// <summary>JSON settings both sides use: one message per line, non-ASCII text written as is (Chinese stays compact).</summary>
public static class WorkerJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
