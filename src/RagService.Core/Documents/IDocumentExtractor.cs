namespace RagService.Core.Documents;

/// <summary>Turns the bytes of an uploaded file into structured text.</summary>
public interface IDocumentExtractor
{
    /// <summary>Extracts text and structure. Throws <see cref="ExtractionException"/> for input it refuses or cannot read.</summary>
    /// <param name="content">The file's bytes (already bounded in size by the caller).</param>
    /// <param name="fileName">The file name as uploaded (may be used for the extension), or null.</param>
    /// <param name="contentType">The declared media type, or null.</param>
    Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, string? fileName, string? contentType, CancellationToken cancellationToken);
}

/// <summary>Input the extractor refuses (unsupported, encrypted, truncated, too big, timed out). The message says what to fix.</summary>
public sealed class ExtractionException : Exception
{
    public ExtractionException(string message, ExtractionFailure failure = ExtractionFailure.Unreadable, Exception? inner = null)
        : base(message, inner) => Failure = failure;

    public ExtractionFailure Failure { get; }

    /// <summary>Which extractor refused the file ("pdf", "docx", …), when known; for logs.</summary>
    public string? Extractor { get; set; }
}

public enum ExtractionFailure
{
    /// <summary>Not a format we read (HTTP 415).</summary>
    UnsupportedFormat,
    /// <summary>Damaged, encrypted or empty (HTTP 422).</summary>
    Unreadable,
    /// <summary>A size/entry bound was exceeded (HTTP 413).</summary>
    TooLarge,
    /// <summary>The extractor ran past its time bound (HTTP 422).</summary>
    TimedOut,
    /// <summary>The isolated extractor died on the file: out of memory, out of CPU time, stack overflow, a signal (HTTP 422).</summary>
    Crashed,
}
