using RagService.Core.Chunking;
using RagService.Core.Storage;

namespace RagService.Core.Ingestion;

/// <summary>
/// A document chunked and ready to embed and write (<see cref="IngestionService.PrepareAsync"/>): nothing of it is stored yet.
/// </summary>
/// <param name="Headers">Each chunk's contextual header ("" when none), embedded with the chunk and indexed beside it.</param>
/// <param name="Started">When preparing began (<see cref="System.Diagnostics.Stopwatch"/> ticks), for the result's duration.</param>
public sealed record PreparedDocument(
    string Id, string? Title, string Hash, IngestRequest Request, IReadOnlyList<Chunk> Chunks, IReadOnlyList<string> Headers, long Started)
{
    /// <summary>The stored document when it has this content already: nothing to chunk, embed or write but its access list.</summary>
    public DocumentRecord? Unchanged { get; init; }

    /// <summary>Whether the collection's embedder gets <see cref="Passages"/>; false without a model.</summary>
    public bool Embedded { get; init; }

    /// <summary>How many texts <see cref="Passages"/> holds.</summary>
    public int PassageCount => Embedded ? Chunks.Count : 0;

    /// <summary>The texts to embed, one per chunk: its header, a line break and its text (the text alone without a header).</summary>
    public IReadOnlyList<string> Passages =>
        Embedded ? Chunks.Select((c, i) => Headers[i].Length == 0 ? c.Text : Headers[i] + "\n" + c.Text).ToList() : [];
}
