using RagService.Core.Access;
using System.ComponentModel;
using System.Text;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Ingestion;
using RagService.Api.Requests;
using RagService.Core.Context;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;

namespace RagService.Api.Mcp;

/// <summary>
/// The MCP tools: the same services as the REST routes, under the caller's key (<see cref="McpAccess"/>). Every result
/// carries citations (document, title, section, page, resource URI) a client can show; bad arguments come back as tool
/// errors that say what to fix.
/// </summary>
[McpServerToolType]
internal static class RagMcpTools
{
    public const string ListCollections = "list_collections";
    public const string Search = "search";
    public const string Ask = "ask";
    public const string GetDocument = "get_document";
    public const string GetChunks = "get_chunks";
    public const string AddDocument = "add_document";
    public const string DeleteDocument = "delete_document";

    [McpServerTool(Name = ListCollections, Title = "List knowledge bases", ReadOnly = true, Idempotent = true, UseStructuredContent = true)]
    [Description("Lists the knowledge-base collections this API key can read, with their document and chunk counts. Call it first: every other tool takes one of these names as 'collection'.")]
    public static Task<ListCollectionsResult> ListCollectionsAsync(RequestContext<CallToolRequestParams> context, IKnowledgeStore store, CancellationToken ct) =>
        McpAccess.GuardAsync(async () =>
        {
            var caller = McpAccess.Caller(context.User);
            var collections = new List<McpCollection>();
            foreach (var c in (await store.ListCollectionsAsync(ct)).Where(c => caller.CanAccess(c.Name)))
            {
                var stats = await store.GetStatsAsync(c, caller.Access, ct);
                collections.Add(new McpCollection(c.Name, stats.Documents, stats.Chunks, c.CreatedAt));
            }

            return new ListCollectionsResult(collections);
        });

    [McpServerTool(Name = Search, Title = "Search a knowledge base", ReadOnly = true, Idempotent = true, UseStructuredContent = true)]
    [Description("Finds the passages of a collection that best match a query (BM25 keyword and, when configured, semantic search, fused and reranked). " +
        "Returns numbered passages with their text and a citation each (document, title, section, page). Use it to look things up; use 'ask' for a written answer.")]
    public static Task<SearchResult> SearchAsync(
        RequestContext<CallToolRequestParams> context, IKnowledgeStore store, SearchService search, RequestMapping map,
        [Description("The collection to search (see list_collections).")] string collection,
        [Description("What to look for: a question or keywords, in the documents' language (Chinese works).")] string query,
        [Description("How many passages to return (default 5).")] int? topK = null,
        [Description("Optional: only documents with these ids, these metadata values, or updated/created in a time range.")] FilterRequest? filter = null,
        CancellationToken ct = default) =>
        McpAccess.GuardAsync(async () =>
        {
            var info = await McpAccess.CollectionAsync(context.User, collection, store, ct);
            var searchQuery = map.Query(query, "query", topK, null, null, null, filter, collection: info);
            var outcome = await search.SearchAsync(info, searchQuery, ct);
            return new SearchResult(info.Name, searchQuery.Query, RequestMapping.ModeName(outcome.RanMode), Passages(info.Name, outcome.Hits, map));
        });

    [McpServerTool(Name = Ask, Title = "Ask a knowledge base", ReadOnly = true, UseStructuredContent = true)]
    [Description("Answers a question from a collection's documents only, citing them with [n] markers that refer to the numbered sources returned with the answer. " +
        "For a follow-up, pass the earlier turns as 'history' so the question is understood in context. Says so when the documents do not contain the answer.")]
    public static Task<AskResult> AskAsync(
        RequestContext<CallToolRequestParams> context, IKnowledgeStore store, AskService ask, RequestMapping map,
        [Description("The collection to answer from (see list_collections).")] string collection,
        [Description("The question, as the user asked it.")] string question,
        [Description("Optional: earlier turns of the conversation, oldest first, each {role: \"user\" or \"assistant\", content}.")] List<HistoryTurnRequest?>? history = null,
        CancellationToken ct = default) =>
        McpAccess.GuardAsync(async () =>
        {
            var query = map.Query(question, "question", null, null, null, null, null);
            var turns = map.History(history);
            var info = await McpAccess.CollectionAsync(context.User, collection, store, ct);
            try
            {
                var outcome = await ask.AskAsync(info, query, turns, ct);
                return new AskResult(query.Query, outcome.Answer, outcome.Llm, outcome.Rewrite?.Query, Passages(info.Name, outcome.Context.Sources, map));
            }
            catch (LlmUnavailableException e)
            {
                throw new McpException(ProblemExceptionHandler.Describe(e).Detail, e);
            }
        });

    [McpServerTool(Name = GetDocument, Title = "Read a document", ReadOnly = true, Idempotent = true, UseStructuredContent = true)]
    [Description("Reads one document of a collection: its title, metadata, dates and text (its chunks in reading order). " +
        "Use it after search or ask to read a cited document in full; the same document is the resource rag://{collection}/documents/{id}.")]
    public static Task<DocumentResult> GetDocumentAsync(
        RequestContext<CallToolRequestParams> context, IKnowledgeStore store, Microsoft.Extensions.Options.IOptions<McpOptions> options,
        [Description("The collection (see list_collections).")] string collection,
        [Description("The document's id, as a citation's documentId gives it.")] string documentId,
        CancellationToken ct = default) =>
        McpAccess.GuardAsync(async () =>
        {
            var info = await McpAccess.CollectionAsync(context.User, collection, store, ct);
            var doc = await FindDocumentAsync(store, info, documentId, McpAccess.Caller(context.User).Access, ct);
            var (text, truncated) = await DocumentText.ReadAsync(store, info, doc, options.Value.MaxDocumentChars, ct);
            return new DocumentResult(info.Name, doc.Id, doc.Title, doc.Format, doc.Metadata, doc.ChunkCount, doc.CreatedAt, doc.UpdatedAt,
                RagDocumentUri.Of(info.Name, doc.Id), text, truncated);
        });

    [McpServerTool(Name = GetChunks, Title = "Read a document's chunks", ReadOnly = true, Idempotent = true, UseStructuredContent = true)]
    [Description("Lists a document's chunks (the passages search returns) in reading order, each with its section and page, a page at a time ('offset', 'limit').")]
    public static Task<ChunksResult> GetChunksAsync(
        RequestContext<CallToolRequestParams> context, IKnowledgeStore store, RequestMapping map,
        [Description("The collection (see list_collections).")] string collection,
        [Description("The document's id.")] string documentId,
        [Description("How many chunks to skip (default 0).")] int? offset = null,
        [Description("How many chunks to return (default 100).")] int? limit = null,
        CancellationToken ct = default) =>
        McpAccess.GuardAsync(async () =>
        {
            var (skip, take) = map.Page(offset, limit);
            var info = await McpAccess.CollectionAsync(context.User, collection, store, ct);
            var doc = await FindDocumentAsync(store, info, documentId, McpAccess.Caller(context.User).Access, ct);
            var chunks = await store.GetChunksAsync(await store.ListChunkIdsAsync(info, doc.Id, skip, take, ct), ct);
            return new ChunksResult(info.Name, doc.Id, skip, chunks.OrderBy(c => c.Ordinal)
                .Select(c => new McpChunk(c.Ordinal, c.Text, new McpCitation(c.DocumentId, c.DocumentTitle, c.HeadingPath, c.Page, RagDocumentUri.Of(info.Name, c.DocumentId))))
                .ToList());
        });

    [McpServerTool(Name = AddDocument, Title = "Add a document", Destructive = false, UseStructuredContent = true)]
    [Description("Adds a text, Markdown or HTML document to a collection, or replaces the document with the same id. Needs a writer key.")]
    public static Task<AddDocumentResult> AddDocumentAsync(
        RequestContext<CallToolRequestParams> context, IKnowledgeStore store, DocumentIngestor ingestor, RequestMapping map, CalibrationSchedule calibration,
        [Description("The collection to add to.")] string collection,
        [Description("The document's text.")] string text,
        [Description("Optional: the document's id (default: derived from its content); the same id replaces that document.")] string? id = null,
        [Description("Optional: the document's title.")] string? title = null,
        [Description("\"text\" (default), \"markdown\" or \"html\".")] string? format = null,
        CancellationToken ct = default) =>
        McpAccess.GuardAsync(async () =>
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw ApiProblemException.BadRequest("'text' is required and must not be blank");
            }

            var mediaType = RequestMapping.TextMediaType(format);
            var info = await McpAccess.CollectionAsync(context.User, collection, store, ct);
            var result = await ingestor.IngestAsync(info, Encoding.UTF8.GetBytes(text), null, mediaType, id, map.Title(title), new Dictionary<string, string>(), null, null, ct);
            calibration.Request(info.Name);
            return new AddDocumentResult(info.Name, result.DocumentId, result.Outcome.ToString().ToLowerInvariant(), result.Chunks, RagDocumentUri.Of(info.Name, result.DocumentId));
        });

    [McpServerTool(Name = DeleteDocument, Title = "Delete a document", Destructive = true, Idempotent = true, UseStructuredContent = true)]
    [Description("Deletes a document and its chunks from a collection. Needs a writer key.")]
    public static Task<DeleteDocumentResult> DeleteDocumentAsync(
        RequestContext<CallToolRequestParams> context, IKnowledgeStore store, CalibrationSchedule calibration,
        [Description("The collection.")] string collection,
        [Description("The id of the document to delete.")] string documentId,
        CancellationToken ct = default) =>
        McpAccess.GuardAsync(async () =>
        {
            var info = await McpAccess.CollectionAsync(context.User, collection, store, ct);
            var doc = await FindDocumentAsync(store, info, documentId, McpAccess.Caller(context.User).Access, ct);
            var deleted = await store.DeleteDocumentAsync(info, doc.Id, ct);
            calibration.Request(info.Name);
            return new DeleteDocumentResult(info.Name, doc.Id, deleted);
        });

    /// <summary>The document when the caller may read it; otherwise the same refusal as for one that does not exist.</summary>
    private static async Task<DocumentRecord> FindDocumentAsync(IKnowledgeStore store, CollectionInfo info, string? documentId, AccessScope? access, CancellationToken ct) =>
        string.IsNullOrEmpty(documentId)
            ? throw ApiProblemException.BadRequest("'documentId' is required: a citation's documentId, or one from get_document")
            : await store.GetDocumentAsync(info, documentId, ct) is { } doc && access.MayRead(doc, info)
                ? doc
                : throw ApiProblemException.NotFound($"document '{InputEcho.Of(documentId)}' does not exist in '{info.Name}': search the collection to find one");

    private static List<McpPassage> Passages(string collection, IReadOnlyList<SearchHit> hits, RequestMapping map)
    {
        var projection = map.Projection(null);
        return Numbered(collection, hits.Select(projection.Hit));
    }

    /// <summary>An answer's sources as the prompt numbered them: [n] cites source n (merged and expanded hits are one source).</summary>
    private static List<McpPassage> Passages(string collection, IReadOnlyList<ContextSource> sources, RequestMapping map)
    {
        var projection = map.Projection(null);
        return Numbered(collection, sources.Select(projection.Source));
    }

    private static List<McpPassage> Numbered(string collection, IEnumerable<SearchHitResponse> passages) =>
        passages.Select((p, i) => new McpPassage(i + 1, p.Text, Math.Round(p.Score, 6), McpCitation.Of(collection, p), p.TextTruncated)).ToList();
}
