namespace RagService.Client.Models;

/// <summary>Settings of a new collection (knowledge base). Unset values take the service's defaults.</summary>
/// <param name="Name">Lower-case letters, digits, '-' and '_', starting with a letter or digit.</param>
/// <param name="ChunkSize">Largest chunk, in characters.</param>
/// <param name="ChunkOverlap">Overlap between consecutive chunks of a section, in characters.</param>
/// <param name="Chunking">"structured" or "sentence-pack".</param>
/// <param name="ContextualHeaders">Index title and heading path with every chunk.</param>
/// <param name="LlmContext">Ask the service's LLM for a situating sentence per chunk at ingestion.</param>
public sealed record CollectionSettings(string Name, int? ChunkSize = null, int? ChunkOverlap = null, string? Chunking = null,
    bool? ContextualHeaders = null, bool? LlmContext = null);

/// <summary>A collection as the service stores it.</summary>
public sealed record Collection(string Name, DateTimeOffset CreatedAt, string Chunking, int ChunkSize, int ChunkOverlap, bool ContextualHeaders, bool LlmContext);

/// <summary>A collection's size.</summary>
public sealed record CollectionStats(string Name, int Documents, int Chunks, long ChunkTextBytes, long Bm25IndexBytes, int Vectors, long VectorBytes,
    Collection Settings);
