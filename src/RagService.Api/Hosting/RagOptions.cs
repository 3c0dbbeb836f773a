using RagService.Api.Jobs;
using RagService.Core.Chunking;
using RagService.Core.Context;
using RagService.Core.Conversation;

namespace RagService.Api.Hosting;

/// <summary>The "Rag" configuration section. Every limit is named here with its default.</summary>
public sealed class RagOptions
{
    public const string Section = "Rag";

    /// <summary>SQLite database file of the embedded store; a relative path is relative to the working directory (./run.sh: the repository root).</summary>
    public string DatabasePath { get; set; } = "data/ragservice.db";

    /// <summary>Create the "demo" collection with the pizza-shop knowledge base at start when it is missing.</summary>
    public bool Demo { get; set; }

    public LimitOptions Limits { get; set; } = new();

    /// <summary>Bounds of an ask's history and of the question rewrite (Rag:Conversation).</summary>
    public ConversationOptions Conversation { get; set; } = new();

    /// <summary>The prompt's sources: token budget, expansion cap and order (Rag:Context, docs/llm.md).</summary>
    public ContextOptions Context { get; set; } = new();

    /// <summary>Sync archives and the ingestion job queue.</summary>
    public SyncOptions Sync { get; set; } = new();

    /// <summary>Chunking for collections created without their own settings.</summary>
    public ChunkingDefaults Chunking { get; set; } = new();

    /// <summary>BM25 weight of the contextual header (title + heading path) relative to the chunk body.</summary>
    public double HeaderWeight { get; set; } = 4.0;

    /// <summary>
    /// "lucene" (default: on-disk Lucene.Net index per collection) or "memory" (in-memory index rebuilt from SQLite at start); same BM25F scores. See
    /// docs/retrieval.md.
    /// </summary>
    public string Bm25Engine { get; set; } = "lucene";
}

public sealed class LimitOptions
{
    /// <summary>Largest request body (JSON or upload), bytes. Larger requests get 413.</summary>
    public long MaxRequestBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Largest document text after extraction, characters.</summary>
    public int MaxDocumentChars { get; set; } = 5_000_000;

    /// <summary>Longest query or question, characters.</summary>
    public int MaxQueryChars { get; set; } = 2_000;

    /// <summary>Largest topK a caller may ask for.</summary>
    public int MaxTopK { get; set; } = 100;

    /// <summary>Largest number of candidates per retriever a caller may ask for.</summary>
    public int MaxCandidates { get; set; } = 1_000;

    /// <summary>Most metadata entries per document (and per metadata filter).</summary>
    public int MaxMetadataEntries { get; set; } = 64;

    /// <summary>Longest metadata key, characters.</summary>
    public int MaxMetadataKeyChars { get; set; } = 64;

    /// <summary>Largest metadata value, UTF-8 bytes (413 beyond).</summary>
    public int MaxMetadataValueBytes { get; set; } = 2_048;

    /// <summary>Largest metadata of one document, keys and values together, UTF-8 bytes (413 beyond).</summary>
    public int MaxMetadataBytes { get; set; } = 8_192;

    /// <summary>Longest title a caller may send (400 beyond); titles found in a file are cut to it.</summary>
    public int MaxTitleChars { get; set; } = 512;

    /// <summary>Largest 'limit' of GET .../documents.</summary>
    public int MaxDocumentsPerPage { get; set; } = 1_000;

    /// <summary>Most document ids in a search filter.</summary>
    public int MaxFilterDocumentIds { get; set; } = 1_000;

    /// <summary>Most values in one metadataAnyOf / metadataNoneOf list of a search filter.</summary>
    public int MaxFilterValues { get; set; } = 1_000;

    /// <summary>Longest chunk text returned per hit, characters; longer texts are cut and marked textTruncated.</summary>
    public int MaxHitTextChars { get; set; } = 8_000;
}

public sealed class ChunkingDefaults
{
    public int MaxSize { get; set; } = 400;
    public int Overlap { get; set; } = 50;
    public bool ContextualHeaders { get; set; } = true;

    public ChunkingOptions ToOptions() => new() { MaxSize = MaxSize, Overlap = Overlap };
}
