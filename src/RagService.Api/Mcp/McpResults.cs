using System.Text.Json.Serialization;
using RagService.Api.Contracts;

namespace RagService.Api.Mcp;

// What the MCP tools return, as structured content (with an output schema) and as its JSON text. Nullable members are
// written as null rather than left out: the output schema lists every member as required (clients validate against it).

/// <summary>Where a passage comes from, for a client to show: its document, title, section path and page, and the document's resource URI.</summary>
public sealed record McpCitation(string DocumentId, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Title, IReadOnlyList<string> Section, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Page, string Uri)
{
    public static McpCitation Of(string collection, SearchHitResponse hit) =>
        new(hit.DocumentId, hit.Title, hit.HeadingPath, hit.Page, RagDocumentUri.Of(collection, hit.DocumentId));
}

/// <param name="N">The passage's number: an answer's [n] cites passage n.</param>
/// <param name="TextTruncated">The passage was cut to Rag:Limits:MaxHitTextChars.</param>
public sealed record McpPassage(int N, string Text, double Score, McpCitation Citation, bool TextTruncated);

public sealed record McpCollection(string Name, long Documents, long Chunks, DateTimeOffset CreatedAt);

public sealed record ListCollectionsResult(IReadOnlyList<McpCollection> Collections);

/// <param name="Mode">The retrieval that ran ("bm25" when hybrid was asked for without an embedding model).</param>
public sealed record SearchResult(string Collection, string Query, string Mode, IReadOnlyList<McpPassage> Passages);

/// <param name="Answer">The answer with [n] markers citing <paramref name="Sources"/>; null when the service has no LLM (the sources still come).</param>
/// <param name="Llm">"ok", "skipped" (nothing relevant enough: the answer says so) or "not configured".</param>
/// <param name="RewrittenQuestion">With history: the standalone question retrieval ran on.</param>
public sealed record AskResult(string Question, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Answer, string Llm, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? RewrittenQuestion,
    IReadOnlyList<McpPassage> Sources);

/// <param name="Text">The document's chunks in reading order, joined by blank lines.</param>
/// <param name="Truncated">The text was cut to Rag:Mcp:MaxDocumentChars; read the rest with get_chunks.</param>
public sealed record DocumentResult(string Collection, string Id, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Title, string Format, IReadOnlyDictionary<string, string> Metadata, int ChunkCount,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Uri, string Text, bool Truncated);

public sealed record McpChunk(int Ordinal, string Text, McpCitation Citation);

public sealed record ChunksResult(string Collection, string DocumentId, int Offset, IReadOnlyList<McpChunk> Chunks);

/// <param name="Outcome">"created", "updated" or "unchanged".</param>
public sealed record AddDocumentResult(string Collection, string DocumentId, string Outcome, int Chunks, string Uri);

public sealed record DeleteDocumentResult(string Collection, string DocumentId, bool Deleted);
