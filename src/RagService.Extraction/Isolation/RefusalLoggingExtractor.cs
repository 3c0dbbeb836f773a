using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>
/// Logs every refusal, timeout and worker death of the extractor it wraps as a Warning with the file's SHA-256, its
/// size, the extractor and the reason, so that an operator can find the file again; the exception goes on unchanged.
/// </summary>
public sealed class RefusalLoggingExtractor(IDocumentExtractor inner, ILogger<RefusalLoggingExtractor> logger) : IDocumentExtractor, IDisposable
{
    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, string? fileName, string? contentType, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.ExtractAsync(content, fileName, contentType, cancellationToken).ConfigureAwait(false);
        }
        catch (ExtractionException e)
        {
            logger.ExtractionRefused(e.Failure.ToString(), Convert.ToHexStringLower(SHA256.HashData(content.Span)), content.Length, e.Extractor ?? "none", e.Message);
            throw;
        }
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
