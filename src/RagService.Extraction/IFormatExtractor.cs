using RagService.Core.Documents;

namespace RagService.Extraction;

/// <summary>Extracts one format. The composite <see cref="DocumentExtractor"/> has already sniffed the input.</summary>
public interface IFormatExtractor
{
    SourceFormat Format { get; }

    /// <param name="content">The raw bytes.</param>
    /// <param name="sniffed">The sniffer's result; carries the decoded text for textual formats.</param>
    Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken);
}
