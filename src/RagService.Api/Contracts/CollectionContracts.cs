namespace RagService.Api.Contracts;

/// <summary>Creates a knowledge base.</summary>
/// <param name="Name">Lower-case letters, digits, '-' and '_', 1-64 characters, starting with a letter or digit.</param>
/// <param name="ChunkSize">Largest chunk, characters (default from Rag:Chunking:MaxSize).</param>
/// <param name="ChunkOverlap">Overlap between consecutive chunks of a section, characters.</param>
/// <param name="Chunking">"structured" (default) or "sentence-pack" (the Lucene anchor's chunker).</param>
/// <param name="ContextualHeaders">Index title and heading path with every chunk (default true).</param>
/// <param name="LlmContext">Ask the LLM for a situating sentence per chunk at ingestion (needs RAG_LLM_URL; default false).</param>
public sealed record CreateCollectionRequest(string? Name, int? ChunkSize, int? ChunkOverlap, string? Chunking, bool? ContextualHeaders, bool? LlmContext = null);

public sealed record CollectionResponse(string Name, DateTimeOffset CreatedAt, string Chunking, int ChunkSize, int ChunkOverlap, bool ContextualHeaders, bool LlmContext);

/// <param name="Bm25IndexBytes">Size of the full-text (BM25) index.</param>
/// <param name="Vectors">Stored chunk embeddings (0 without an embedding model).</param>
/// <param name="VectorGraph">Connectivity of the vector index (HNSW graph): unreachableVectors should be 0; null without vectors.</param>
public sealed record CollectionStatsResponse(string Name, int Documents, int Chunks, long ChunkTextBytes, long Bm25IndexBytes, int Vectors, long VectorBytes,
    CollectionResponse Settings, RagService.Core.Vectors.VectorGraphHealth? VectorGraph = null);
