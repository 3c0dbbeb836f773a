using RagService.Core.Access;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RagService.Core.Chunking;
using RagService.Core.Diagnostics;
using RagService.Core.Documents;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Ingestion;

/// <summary>A document to ingest, already extracted.</summary>
/// <param name="DocumentId">The caller's id, or null to derive one from the content.</param>
/// <param name="Source">A sync's bookkeeping (file hash, ingest signature), stored beside the metadata, not in it.</param>
public sealed record IngestRequest(string? DocumentId, string? Title, ExtractedDocument Document, IReadOnlyDictionary<string, string> Metadata,
    SyncSource? Source = null)
{
    /// <summary>Who may read the document, normalized; null keeps the stored list (a new document gets none: the collection's default decides).</summary>
    public IReadOnlyList<string>? Access { get; init; }
}

public sealed record IngestResult(string DocumentId, WriteOutcome Outcome, int Chunks, double Milliseconds)
{
    /// <summary>The extractor's warnings about parts of the document it could not read.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Chunks, analyzes and (when a model is configured) embeds a document, then hands it to the store in one write.
/// An unchanged document (same content hash) costs one lookup: no chunking, no embedding, no write.
/// The three steps are also callable apart (<see cref="PrepareAsync"/>, <see cref="EmbedAsync"/>, <see cref="WriteAsync"/>),
/// so a sync job embeds several documents' passages together and still writes each document alone.
/// </summary>
public sealed class IngestionService(
    IKnowledgeStore store, AnalyzerCatalog analyzers, ITextEmbedder? embedder = null, ChunkContextGenerator? contexts = null)
{
    private readonly PassageBatch _passages = new(embedder);

    public bool LlmContextAvailable => contexts is not null;

    public ITextEmbedder? Embedder => embedder;

    public async Task<IngestResult> IngestAsync(CollectionInfo collection, IngestRequest request, CancellationToken ct)
    {
        var prepared = await PrepareAsync(collection, request, ct);
        var embedded = (await _passages.EmbedAsync([prepared], ct))[0];
        embedded.Failure?.Throw();
        return await WriteAsync(collection, prepared, embedded.Vectors, ct);
    }

    /// <summary>
    /// Everything before embedding: the content hash, the stored document's lookup, chunking and contextual headers.
    /// Writes nothing; an unchanged document is only marked as such (<see cref="WriteAsync"/> then changes at most its access list).
    /// </summary>
    public async Task<PreparedDocument> PrepareAsync(CollectionInfo collection, IngestRequest request, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var title = string.IsNullOrWhiteSpace(request.Title) ? request.Document.Title : request.Title.Trim();
        var hash = ContentHash(collection, title, request);
        var id = string.IsNullOrWhiteSpace(request.DocumentId) ? "doc-" + hash[..16] : request.DocumentId.Trim();

        var existing = await store.GetDocumentAsync(collection, id, ct);
        if (existing?.ContentHash == hash)
        {
            return new PreparedDocument(id, title, hash, request, [], [], started) { Unchanged = existing };
        }

        var chunks = new StructuredChunker(collection.Settings.Chunking).Chunk(request.Document);
        var headers = chunks.Select(c => collection.Settings.ContextualHeaders ? ContextHeader.For(title, c.HeadingPath) : "").ToList();
        if (collection.Settings.LlmContext && contexts is not null)
        {
            var fullText = request.Document.FullText;
            for (var i = 0; i < chunks.Count; i++)
            {
                var situated = await contexts.SituateAsync(fullText, chunks[i].Text, ct);
                headers[i] = headers[i].Length == 0 ? situated : headers[i] + "\n" + situated;
            }
        }

        return new PreparedDocument(id, title, hash, request, chunks, headers, started) { Embedded = embedder is not null };
    }

    /// <summary>
    /// Embeds the passages of several prepared documents together, in the embedder's length-sorted batches; one result
    /// per document, in order (see <see cref="PassageBatch"/>).
    /// </summary>
    public Task<IReadOnlyList<DocumentVectors>> EmbedAsync(IReadOnlyList<PreparedDocument> documents, CancellationToken ct) =>
        _passages.EmbedAsync(documents, ct);

    /// <summary>Analyzes a prepared document and hands it, with its vectors, to the store in one write.</summary>
    public async Task<IngestResult> WriteAsync(CollectionInfo collection, PreparedDocument prepared, float[][]? vectors, CancellationToken ct)
    {
        var request = prepared.Request;
        if (prepared.Unchanged is { } existing)
        {
            // The same content under another access list: the list changes alone, nothing is chunked or embedded again.
            var accessChanged = request.Access is not null && !Principals.SameList(existing.Access, request.Access)
                && await store.SetDocumentAccessAsync(collection, prepared.Id, request.Access, ct);
            var same = accessChanged ? WriteOutcome.Updated : WriteOutcome.Unchanged;
            Count(same, request.Document);
            return new IngestResult(prepared.Id, same, existing.ChunkCount, Elapsed(prepared.Started));
        }

        var analyzer = analyzers.For(collection.Settings);
        var chunks = prepared.Chunks;
        var headers = prepared.Headers;
        var indexed = chunks.Select((c, i) => new IndexedChunk(c, analyzer.Analyze(c.Text), analyzer.Analyze(headers[i]), vectors?[i])).ToList();
        var write = new DocumentWrite(prepared.Id, prepared.Title, prepared.Hash, request.Document.Format, WithExtractionReport(request), indexed, request.Source)
        {
            Access = request.Access,
        };
        var outcome = await store.UpsertDocumentAsync(collection, write, ct);
        Count(outcome, request.Document);
        return new IngestResult(prepared.Id, outcome, chunks.Count, Elapsed(prepared.Started));
    }

    /// <summary>
    /// What, besides a document's own content, decides its chunks, terms and vectors in this collection: chunking,
    /// contextual headers, analyzer and embedding model. A sync compares it to re-index documents whose files did not change.
    /// </summary>
    public string IngestSignature(CollectionInfo collection) =>
        $"{JsonSerializer.Serialize(collection.Settings.Chunking)}|{collection.Settings.ContextualHeaders}|{analyzers.For(collection.Settings).Signature}|{embedder?.ModelId}|{SentenceSplitter.RulesVersion}" +
        (collection.Settings.LlmContext && contexts is not null ? "|llm-context" : "");

    /// <summary>
    /// Hash of everything that decides the stored chunks: content, title, metadata, and the collection's chunking,
    /// analyzer and model. Re-sending the same document is a no-op; changing any of these re-indexes it.
    /// </summary>
    private string ContentHash(CollectionInfo collection, string? title, IngestRequest request)
    {
        var sb = new StringBuilder();
        sb.Append(title).Append('\u0001').Append(request.Document.Format).Append('\u0001');
        foreach (var block in request.Document.Blocks)
        {
            sb.Append((int)block.Kind).Append(':').Append(block.HeadingLevel).Append(':').Append(block.Page).Append(':').Append(block.Text).Append('\u0002');
        }

        foreach (var (k, v) in request.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append(k).Append('=').Append(v).Append('\u0003');
        }

        // The source hash too: a file whose bytes changed but whose text did not must still record its new hash.
        sb.Append(request.Source?.Sha256).Append('\u0003');
        sb.Append(IngestSignature(collection));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    // The extraction report rides in the metadata (visible on GET, usable in filters); the caller's own keys win.
    private static IReadOnlyDictionary<string, string> WithExtractionReport(IngestRequest request)
    {
        if (request.Document.Report.Count == 0)
        {
            return request.Metadata;
        }

        var merged = new Dictionary<string, string>(request.Document.Report);
        foreach (var (key, value) in request.Metadata)
        {
            merged[key] = value;
        }

        return merged;
    }

    private static void Count(WriteOutcome outcome, ExtractedDocument document)
    {
        RagTelemetry.IngestedDocuments.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString().ToLowerInvariant()));
        RagTelemetry.IngestedBytes.Add(document.Blocks.Sum(b => (long)Encoding.UTF8.GetByteCount(b.Text)));
    }

    private static double Elapsed(long started) => System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}
