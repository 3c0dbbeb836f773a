using RagService.Core.Storage;

namespace RagService.Core.Indexing;

/// <summary>A chunk as the indexes receive it: its text, its analyzed body and header terms, and its embedding when there is one.</summary>
public sealed record IndexEntry(long ChunkId, string Text, IReadOnlyList<string> BodyTerms, IReadOnlyList<string> HeaderTerms, float[]? Vector = null)
{
    /// <summary>Its document's access list (null: none, the collection's default decides), for engines that index access beside the terms.</summary>
    public IReadOnlyList<string>? Access { get; init; }

    /// <summary>
    /// The chunk as search hits show it (text, document id and title, ordinal, headings, page, metadata, update time), for
    /// engines that keep a local copy of the records (<see cref="ILocalChunkCopy"/>); null from sources that do not say.
    /// </summary>
    public StoredChunk? Record { get; init; }
}

/// <summary>
/// One committed document write: the chunks it removed and the chunks it added, at the collection version it produced.
/// The store hands it to every index after the SQLite transaction committed, under the collection's write lock, so the
/// indexes see the changes of this process in version order.
/// </summary>
/// <param name="Document">The document written or deleted (null from writers that do not say), for engines that store it beside the vectors.</param>
public sealed record IndexChange(CollectionInfo Collection, long Version, IReadOnlyList<long> Removed, IReadOnlyList<IndexEntry> Added, IndexedDocument? Document = null)
{
    /// <summary>
    /// Only the document's access list changed (<see cref="IndexedDocument.Access"/>): these chunks of it stay as they
    /// are, and engines that keep access beside them update it there. Empty for every other write.
    /// </summary>
    public IReadOnlyList<long> AccessChanged { get; init; } = [];
}

/// <summary>The document fields a search filter reads (<see cref="SearchFilter"/>), as the store holds them.</summary>
public sealed record IndexedDocument(string Id, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset Created, DateTimeOffset Updated)
{
    /// <summary>The document's access list; null: none (its collection's default decides).</summary>
    public IReadOnlyList<string>? Access { get; init; }
}
