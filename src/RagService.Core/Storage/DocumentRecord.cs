using RagService.Core.Chunking;
using RagService.Core.Jobs;

namespace RagService.Core.Storage;

/// <summary>A stored document (without its chunks).</summary>
/// <param name="Source">What a sync recorded about the document's file; null for documents posted directly.</param>
public sealed record DocumentRecord(
    string Id,
    string? Title,
    string ContentHash,
    string Format,
    IReadOnlyDictionary<string, string> Metadata,
    int ChunkCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    SyncSource? Source = null)
{
    /// <summary>Who may read it (see <see cref="Access.AccessScope"/>); null: its collection's default (<see cref="Access.UnlistedAccess"/>).</summary>
    public IReadOnlyList<string>? Access { get; init; }
}

/// <summary>A chunk ready to be written: its text, BM25 terms for body and contextual header, and an optional embedding.</summary>
public sealed record IndexedChunk(Chunk Chunk, IReadOnlyList<string> BodyTerms, IReadOnlyList<string> HeaderTerms, float[]? Vector = null);

/// <summary>Everything needed to write one document atomically.</summary>
public sealed record DocumentWrite(
    string Id,
    string? Title,
    string ContentHash,
    string Format,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<IndexedChunk> Chunks,
    SyncSource? Source = null)
{
    /// <summary>
    /// Who may read it, normalized (<see cref="Access.Principals.NormalizeList"/>); null keeps the stored list (none
    /// for a new document: its collection's default). Only <see cref="IKnowledgeStore.SetDocumentAccessAsync"/> removes a list.
    /// </summary>
    public IReadOnlyList<string>? Access { get; init; }
}

public enum WriteOutcome
{
    Created,
    Updated,
    Unchanged,
}

/// <summary>A chunk as read back for a search result.</summary>
public sealed record StoredChunk(
    long ChunkId,
    string DocumentId,
    string? DocumentTitle,
    int Ordinal,
    string Text,
    IReadOnlyList<string> HeadingPath,
    int? Page,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset UpdatedAt);

/// <summary>A chunk's place in its collection: the document's internal key and the chunk's 0-based ordinal in reading order.</summary>
public readonly record struct ChunkPosition(long DocumentKey, int Ordinal);

/// <summary>A scored chunk id from one retriever, best first.</summary>
public readonly record struct ScoredChunk(long ChunkId, double Score);
