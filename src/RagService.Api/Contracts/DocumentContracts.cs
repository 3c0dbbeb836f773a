namespace RagService.Api.Contracts;

/// <summary>A document sent as JSON.</summary>
/// <param name="Id">Your id for the document; re-sending the same id replaces it (or is a no-op when unchanged). Derived from the content when omitted.</param>
/// <param name="Title">Title shown in citations and indexed with every chunk.</param>
/// <param name="Text">The document's text.</param>
/// <param name="Format">"text" (default), "markdown" or "html".</param>
/// <param name="Metadata">String key/values, usable in search filters.</param>
/// <param name="Access">Who may read it: principals such as "group:hr" or "user:alice@corp.example". Null: the collection's unlistedAccess decides.</param>
public sealed record IngestTextRequest(string? Id, string? Title, string? Text, string? Format, Dictionary<string, string?>? Metadata, List<string>? Access = null);

/// <summary>A document's new access list; changing it never re-extracts or re-embeds, and the next search obeys it.</summary>
/// <param name="Access">Principals such as "group:hr" or "user:alice@corp.example"; null: none (the collection's unlistedAccess decides).</param>
public sealed record SetAccessRequest(List<string>? Access);

/// <param name="Status">"created", "updated" or "unchanged".</param>
/// <param name="Warnings">Parts of the file that could not be read (e.g. a page whose text layer and OCR are both unreadable); null when none.</param>
/// <param name="Version">The collection's version after the write (header Rag-Collection-Version); as minVersion, any replica's search sees the write.</param>
public sealed record IngestResponse(string DocumentId, string Status, int Chunks, double Milliseconds, IReadOnlyList<string>? Warnings = null, long? Version = null);

/// <param name="SourceSha256">SHA-256 of the file a sync indexed the document from; null for documents posted directly.</param>
/// <param name="Access">Who may read it; null: the collection's unlistedAccess decides.</param>
public sealed record DocumentResponse(string Id, string? Title, string Format, string ContentHash, int Chunks,
    IReadOnlyDictionary<string, string> Metadata, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? SourceSha256 = null,
    IReadOnlyList<string>? Access = null);

/// <summary>One chunk of a document as stored: its place in the document, section path, page and text.</summary>
public sealed record ChunkResponse(long ChunkId, int Ordinal, IReadOnlyList<string> HeadingPath, int? Page, string Text);
