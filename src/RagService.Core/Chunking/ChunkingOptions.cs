namespace RagService.Core.Chunking;

public enum ChunkingMode
{
    /// <summary>Follows document structure: sections, paragraphs, sentences; tables and code kept whole when they fit; overlap.</summary>
    Structured,

    /// <summary>
    /// Sentences ending in 。！？；\n or a Latin . ? ! packed greedily up to <see cref="ChunkingOptions.MaxSize"/> UTF-16
    /// chars, longer sentences cut on word boundaries, no overlap, no headings (<see cref="SentencePackChunker"/>).
    /// </summary>
    SentencePack,
}

/// <summary>How documents are cut into chunks. Sizes are in characters, or in model tokens when a measure is supplied.</summary>
public sealed record ChunkingOptions
{
    public ChunkingMode Mode { get; init; } = ChunkingMode.Structured;

    /// <summary>Largest chunk size (characters, or tokens of the embedding model when it measures).</summary>
    public int MaxSize { get; init; } = 400;

    /// <summary>Size of the tail of the previous chunk repeated at the start of the next one within a section.</summary>
    public int Overlap { get; init; } = 50;

    /// <summary>A section smaller than this is merged with the next one instead of standing alone.</summary>
    public int MinSectionSize { get; init; } = 40;

    public void Validate()
    {
        if (MaxSize is < 20 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxSize), MaxSize, "chunk size must be between 20 and 100000");
        }

        if (Overlap < 0 || Overlap >= MaxSize / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(Overlap), Overlap, "overlap must be at least 0 and less than half the chunk size");
        }
    }
}
