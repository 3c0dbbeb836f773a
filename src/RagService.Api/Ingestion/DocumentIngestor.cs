using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Jobs;
using RagService.Core.Storage;

namespace RagService.Api.Ingestion;

/// <summary>Extracts an uploaded, posted or synced document, checks it against the limits, and ingests it.</summary>
internal sealed class DocumentIngestor(IDocumentExtractor extractor, IngestionService ingestion, IOptions<RagOptions> options)
{
    public string Signature(CollectionInfo collection) => ingestion.IngestSignature(collection);

    /// <exception cref="DocumentRejectedException">The id, the size or the content is not acceptable; nothing was written.</exception>
    /// <exception cref="ExtractionException">The bytes could not be read as a document.</exception>
    public async Task<IngestResult> IngestAsync(CollectionInfo collection, byte[] content, string? fileName, string? contentType,
        string? id, string? title, IReadOnlyDictionary<string, string> metadata, SyncSource? source, IReadOnlyList<string>? access, CancellationToken ct)
    {
        var prepared = await PrepareAsync(collection, content, fileName, contentType, id, title, metadata, source, access, ct);
        var vectors = (await ingestion.EmbedAsync([prepared], ct))[0];
        vectors.Failure?.Throw();
        return await WriteAsync(collection, prepared, vectors.Vectors, ct);
    }

    /// <summary>Extracts and checks the document and chunks it (<see cref="IngestionService.PrepareAsync"/>); writes nothing.</summary>
    /// <exception cref="DocumentRejectedException">The id, the size or the content is not acceptable.</exception>
    /// <exception cref="ExtractionException">The bytes could not be read as a document.</exception>
    public async Task<PreparedDocument> PrepareAsync(CollectionInfo collection, byte[] content, string? fileName, string? contentType,
        string? id, string? title, IReadOnlyDictionary<string, string> metadata, SyncSource? source, IReadOnlyList<string>? access, CancellationToken ct)
    {
        if (id is not null && (id.Length > 512 || id.Any(char.IsControl)))
        {
            throw new DocumentRejectedException(DocumentRejection.InvalidId, "'id' must be at most 512 characters without control characters");
        }

        var document = await extractor.ExtractAsync(content, fileName, contentType, ct);
        var maxTitle = options.Value.Limits.MaxTitleChars;
        if (document.Title is { } found && found.Length > maxTitle)
        {
            document = document with { Title = found[..maxTitle] };
        }

        var chars = document.Blocks.Sum(b => (long)b.Text.Length);
        var limit = options.Value.Limits.MaxDocumentChars;
        if (chars > limit)
        {
            throw new DocumentRejectedException(DocumentRejection.TooLarge,
                $"the document has {chars} characters of text; the limit is {limit} (Rag:Limits:MaxDocumentChars)");
        }

        if (document.Blocks.All(b => string.IsNullOrWhiteSpace(b.Text)))
        {
            throw new DocumentRejectedException(DocumentRejection.Empty, "the document contains no text to index");
        }

        return await ingestion.PrepareAsync(collection, new IngestRequest(id, title, document, metadata, source) { Access = access }, ct);
    }

    /// <summary>Embeds the passages of several prepared documents together (<see cref="IngestionService.EmbedAsync"/>).</summary>
    public Task<IReadOnlyList<DocumentVectors>> EmbedAsync(IReadOnlyList<PreparedDocument> documents, CancellationToken ct) =>
        ingestion.EmbedAsync(documents, ct);

    /// <summary>Writes a prepared document with its vectors; the result carries the extractor's warnings.</summary>
    public async Task<IngestResult> WriteAsync(CollectionInfo collection, PreparedDocument prepared, float[][]? vectors, CancellationToken ct)
    {
        var result = await ingestion.WriteAsync(collection, prepared, vectors, ct);
        return result with { Warnings = prepared.Request.Document.Warnings };
    }
}

public enum DocumentRejection
{
    InvalidId,
    TooLarge,
    Empty,
}

/// <summary>A document refused before anything was written; the HTTP layer maps <see cref="Reason"/> to 400, 413 or 422.</summary>
public sealed class DocumentRejectedException(DocumentRejection reason, string message) : Exception(message)
{
    public DocumentRejection Reason { get; } = reason;
}
