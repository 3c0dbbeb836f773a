namespace RagService.Api.Contracts;

/// <summary>Creates a knowledge base.</summary>
/// <param name="Name">Lower-case letters, digits, '-' and '_', 1-64 characters, starting with a letter or digit.</param>
/// <param name="ChunkSize">Largest chunk, characters (default from Rag:Chunking:MaxSize).</param>
/// <param name="ChunkOverlap">Overlap between consecutive chunks of a section, characters.</param>
/// <param name="Chunking">"structured" (default: sections, paragraphs, overlap) or "sentence-pack" (whole sentences up to ChunkSize, no overlap).</param>
/// <param name="ContextualHeaders">Index title and heading path with every chunk (default true).</param>
/// <param name="LlmContext">Ask the LLM for a situating sentence per chunk at ingestion (needs RAG_LLM_URL; default false).</param>
/// <param name="Analyzer">"mixed" (default: CJK unigrams + bigrams, Latin words, codes) or "smartcn" (SmartChineseAnalyzer word segmentation).</param>
/// <param name="UnlistedAccess">A document without an access list is "open" (default: every reader of the collection sees it) or "closed" (admins).</param>
/// <param name="MetadataTypes">Keys declared "number" or "date": values must parse as the type (400 otherwise); filters may ask metadataRange on them.</param>
public sealed record CreateCollectionRequest(string? Name, int? ChunkSize, int? ChunkOverlap, string? Chunking, bool? ContextualHeaders, bool? LlmContext = null,
    string? Analyzer = null, string? UnlistedAccess = null, Dictionary<string, string?>? MetadataTypes = null);

/// <param name="UnlistedAccess">"open" or "closed": who sees documents without an access list.</param>
/// <param name="MetadataTypes">The declared metadata types ("number" / "date"); absent when none are declared.</param>
public sealed record CollectionResponse(string Name, DateTimeOffset CreatedAt, string Chunking, int ChunkSize, int ChunkOverlap, bool ContextualHeaders, bool LlmContext,
    string Analyzer, string UnlistedAccess = "open",
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyDictionary<string, string>? MetadataTypes = null);

/// <param name="Bm25IndexBytes">Size of the BM25 index on disk (0 for the in-memory engine).</param>
/// <param name="Vectors">Stored chunk embeddings (0 without an embedding model).</param>
/// <param name="Bm25">The BM25 engine that serves the collection, with its index's entries, size and how it was last opened.</param>
/// <param name="VectorIndex">The vector engine, likewise; null when no embedding model is configured.</param>
/// <param name="VectorGraph">Connectivity of the vector index (HNSW graph): unreachableVectors should be 0; null without vectors.</param>
/// <param name="Fusion">How hybrid search fuses in this collection and why (the calibration's evidence); null without an embedding model.</param>
/// <param name="ModelFit">Unknown-token and truncation rates of the collection's text under the embedding model's tokenizer; null without one.</param>
/// <param name="Version">The collection's version in the store: it grows with every committed write, through any replica.</param>
public sealed record CollectionStatsResponse(string Name, int Documents, int Chunks, long ChunkTextBytes, long Bm25IndexBytes, int Vectors, long VectorBytes,
    CollectionResponse Settings, IndexStatsResponse Bm25, IndexStatsResponse? VectorIndex, RagService.Core.Vectors.VectorGraphHealth? VectorGraph = null,
    FusionStatsResponse? Fusion = null, ModelFitResponse? ModelFit = null, long? Version = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    ChunkCacheStatsResponse? ChunkCache = null);

/// <summary>
/// This replica's chunk cache (Rag:ChunkCache), shared by every collection: what it holds, and how many of the chunk ids
/// searches asked for since the start it held (hits) or read from the store (misses). Only callers without a principal limit see it.
/// </summary>
public sealed record ChunkCacheStatsResponse(long Entries, long Bytes, long MaxBytes, long Hits, long Misses);

/// <param name="State">
/// "calibrated"; "scheduled" (missing or stale, calibrates in the background once writes settle) or "calibrating" (running now):
/// meanwhile searches use the stale calibration (see Stale) or RRF; "stale" (not yet scheduled; the next write or hybrid
/// search schedules it); "not calibrated" (too few chunks, RRF).
/// </param>
/// <param name="Method">What searches use now: "weighted" (calibrated dense weight), "bm25 only" (dense off by calibration), "rrf" (uncalibrated).</param>
/// <param name="Calibration">The weights and their evidence: pseudo-query recall per retriever, sample size, date, model.</param>
public sealed record FusionStatsResponse(string State, string Method, double? DenseWeight, string Detail, string? Stale,
    RagService.Core.Retrieval.Calibration.FusionCalibration? Calibration);

/// <param name="SampledChunks">Chunks tokenized (the calibration's deterministic sample).</param>
/// <param name="Warnings">Rates above Rag:Retrieval:ModelFit's limits, in words; empty when the model fits.</param>
public sealed record ModelFitResponse(string ModelId, int SampledChunks, double UnknownTokenRate, double TruncationRate, int MaxSequenceLength, IReadOnlyList<string> Warnings);

/// <param name="Engine">"memory", "lucene" or "hnsw".</param>
/// <param name="Load">"loaded" (reused from disk), "rebuilt: &lt;reason&gt;", "built from the store" (memory) or "not loaded" (no search yet).</param>
/// <param name="Version">The store version this replica's index holds; null when it is not loaded (or the engine, Qdrant, is shared by every replica).</param>
/// <param name="Lag">Versions the index is behind the store (null when not loaded); the change-log follower closes it in Rag:ChangeLog:PollInterval.</param>
/// <param name="VersionsFromLog">Versions this replica caught up as deltas from the store's change log (other replicas' writes) since it started.</param>
/// <param name="Rebuilds">Times the held index was rebuilt from the store instead (the change log no longer reached back); LastRebuild says why.</param>
public sealed record IndexStatsResponse(string Engine, long Entries, long Bytes, string Load, long? Version = null, long? Lag = null, long VersionsFromLog = 0,
    int Rebuilds = 0, string? LastRebuild = null);
