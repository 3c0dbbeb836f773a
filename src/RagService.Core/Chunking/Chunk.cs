namespace RagService.Core.Chunking;

/// <summary>A retrievable piece of a document.</summary>
/// <param name="Ordinal">0-based position in the document.</param>
/// <param name="Text">The chunk's own text (what is shown and cited).</param>
/// <param name="HeadingPath">Headings in effect where the chunk starts, outermost first, then the heading of any tiny section merged into the chunk.</param>
/// <param name="Page">1-based page where the chunk starts, when the source has pages.</param>
public sealed record Chunk(int Ordinal, string Text, IReadOnlyList<string> HeadingPath, int? Page);
