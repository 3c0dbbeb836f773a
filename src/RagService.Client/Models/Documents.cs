namespace RagService.Client.Models;

/// <summary>A document sent as text.</summary>
/// <param name="Text">The document's text.</param>
/// <param name="Id">Re-sending the same id replaces the document (or is a no-op when unchanged); derived from the content when null.</param>
/// <param name="Title">Shown in citations and indexed with every chunk.</param>
/// <param name="Format">"text" (default), "markdown" or "html".</param>
/// <param name="Metadata">String key/values, usable in search filters.</param>
/// <param name="Access">Who may read it ("group:hr", "user:alice@corp.example"); null keeps a replaced document's list (a new one gets none).</param>
public sealed record DocumentInput(string Text, string? Id = null, string? Title = null, string? Format = null, IReadOnlyDictionary<string, string>? Metadata = null,
    IReadOnlyList<string>? Access = null);

/// <summary>What an ingestion did.</summary>
/// <param name="Status">"created", "updated" or "unchanged".</param>
/// <param name="Version">The collection's version after the write; the client sends it with its next searches (<see
/// cref="RagServiceClientOptions.ReadYourWrites"/>).</param>
public sealed record IngestResult(string DocumentId, string Status, int Chunks, double Milliseconds, long? Version = null);

/// <summary>A stored document's record.</summary>
/// <param name="Access">Who may read it; null: the collection's unlistedAccess decides.</param>
public sealed record Document(string Id, string? Title, string Format, string ContentHash, int Chunks,
    IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<string>? Access = null);

/// <summary>A chunk of a stored document, as it is indexed.</summary>
/// <param name="Ordinal">Its place in the document's reading order, from 0.</param>
/// <param name="HeadingPath">The headings above it, outermost first.</param>
/// <param name="Page">The page it starts on, for paged formats (PDF); null otherwise.</param>
public sealed record Chunk(long ChunkId, int Ordinal, IReadOnlyList<string> HeadingPath, int? Page, string Text);
