namespace RagService.Client.Models;

/// <summary>Settings of a new collection (knowledge base). Unset values take the service's defaults.</summary>
/// <param name="Name">Lower-case letters, digits, '-' and '_', starting with a letter or digit.</param>
/// <param name="ChunkSize">Largest chunk, in characters.</param>
/// <param name="ChunkOverlap">Overlap between consecutive chunks of a section, in characters.</param>
/// <param name="Chunking">"structured" or "sentence-pack".</param>
/// <param name="ContextualHeaders">Index title and heading path with every chunk.</param>
/// <param name="LlmContext">Ask the service's LLM for a situating sentence per chunk at ingestion.</param>
/// <param name="Analyzer">"mixed" (default: CJK unigrams + bigrams, Latin words and codes) or "smartcn" (Chinese word segmentation).</param>
/// <param name="UnlistedAccess">"open" (default) or "closed": whether documents without an access list are open to every reader or to admins only.</param>
/// <param name="MetadataTypes">Metadata keys declared "number" or "date": documents must hold values of the type, and filters may ask ranges on them.</param>
public sealed record CollectionSettings(string Name, int? ChunkSize = null, int? ChunkOverlap = null, string? Chunking = null,
    bool? ContextualHeaders = null, bool? LlmContext = null, string? Analyzer = null, string? UnlistedAccess = null,
    IReadOnlyDictionary<string, string>? MetadataTypes = null);

/// <summary>A collection as the service stores it.</summary>
public sealed record Collection(string Name, DateTimeOffset CreatedAt, string Chunking, int ChunkSize, int ChunkOverlap, bool ContextualHeaders, bool LlmContext,
    string? Analyzer = null, string? UnlistedAccess = null, IReadOnlyDictionary<string, string>? MetadataTypes = null);

/// <summary>A collection's size, its indexes, and how hybrid search fuses in it and why.</summary>
/// <param name="Bm25IndexBytes">Size of the BM25 index on disk (0 for the in-memory engine).</param>
/// <param name="Vectors">Stored chunk embeddings (0 without an embedding model).</param>
/// <param name="Bm25">The BM25 engine, its entries, size and how it was last opened.</param>
/// <param name="VectorIndex">The vector engine, likewise; null when the service has no embedding model.</param>
/// <param name="VectorGraph">Connectivity of the HNSW graph (UnreachableVectors should be 0); null without vectors.</param>
/// <param name="Fusion">How hybrid search fuses here and the calibration's evidence (e.g. why dense is off); null without an embedding model.</param>
/// <param name="ModelFit">Unknown-token and truncation rates of the collection's text under the embedding model's tokenizer; null without one.</param>
public sealed record CollectionStats(string Name, int Documents, int Chunks, long ChunkTextBytes, long Bm25IndexBytes, int Vectors, long VectorBytes,
    Collection Settings, IndexStats? Bm25 = null, IndexStats? VectorIndex = null, VectorGraphHealth? VectorGraph = null, FusionStats? Fusion = null,
    ModelFitStats? ModelFit = null, long? Version = null);

/// <summary>An index engine serving a collection.</summary>
/// <param name="Engine">"memory", "lucene" or "hnsw".</param>
/// <param name="Load">"loaded" (reused from disk), "rebuilt: &lt;reason&gt;", "built from the store" (memory) or "not loaded" (no search yet).</param>
/// <param name="Version">The store version this replica's index holds (null: not loaded).</param>
/// <param name="Lag">Versions the index is behind the store.</param>
/// <param name="VersionsFromLog">Versions caught up from the store's change log since the replica started.</param>
/// <param name="Rebuilds">Times the held index was rebuilt instead (the change log no longer reached back).</param>
public sealed record IndexStats(string Engine, long Entries, long Bytes, string Load, long? Version = null, long? Lag = null, long VersionsFromLog = 0,
    int Rebuilds = 0, string? LastRebuild = null);

/// <summary>Connectivity of the vector index's HNSW graph.</summary>
/// <param name="UnreachableVectors">Vectors no search can reach from the entry point; should be 0.</param>
public sealed record VectorGraphHealth(int Vectors, int UnreachableVectors, int Level0InDegreeZero, int Level0Unreachable, int Levels);

/// <summary>How hybrid search fuses in a collection, and why.</summary>
/// <param name="State">
/// "calibrated"; "scheduled" (missing or stale: calibrates in the background once writes settle) or "calibrating" (running
/// now), meanwhile searches use the stale calibration or RRF; "stale" (<see cref="Stale"/> says why; the next write or
/// hybrid search schedules it); "not calibrated" (too few chunks: RRF).
/// </param>
/// <param name="Method">What searches use now: "weighted" (calibrated dense weight), "bm25 only" (dense turned off by calibration) or "rrf" (until
/// calibrated).</param>
/// <param name="Detail">The reason in words, e.g. why dense is off.</param>
/// <param name="Calibration">The weights and their evidence; null until calibrated.</param>
public sealed record FusionStats(string State, string Method, double? DenseWeight, string Detail, string? Stale, FusionCalibration? Calibration)
{
    /// <summary>True when calibration turned dense retrieval off: hybrid search ranks by BM25 alone.</summary>
    public bool DenseOff => Method == "bm25 only";
}

/// <summary>A collection's calibrated fusion: the dense weight chosen from its own content, with the evidence.</summary>
/// <param name="DenseWeight">0 = dense off.</param>
/// <param name="Bm25">Pseudo-query recall of BM25 alone; <paramref name="Dense"/> and <paramref name="Fused"/> likewise.</param>
/// <param name="SampleSize">Chunks sampled as pseudo-queries.</param>
/// <param name="Reason">Why this weight, in words.</param>
/// <param name="ModelFit">The embedding model's tokenizer over the sample, when measured.</param>
public sealed record FusionCalibration(double DenseWeight, PseudoQueryRecall Bm25, PseudoQueryRecall Dense, PseudoQueryRecall Fused, int SampleSize, int Chunks,
    string ModelId, int ModelDimension, DateTimeOffset CalibratedAt, string Reason, TokenizerFit? ModelFit = null);

/// <summary>How often a retriever finds the chunk a pseudo-query was made from.</summary>
public sealed record PseudoQueryRecall(double RecallAt1, double RecallAt10, double Mrr);

/// <summary>Token counts of texts under an embedding model's tokenizer.</summary>
/// <param name="Texts">Texts tokenized.</param>
/// <param name="TruncatedTexts">Texts longer than the model's <paramref name="MaxSequenceLength"/>.</param>
public sealed record TokenizerFit(int Texts, long Tokens, long UnknownTokens, int TruncatedTexts, int MaxSequenceLength, double UnknownTokenRate, double TruncationRate);

/// <summary>How well the embedding model's tokenizer covers a collection's text.</summary>
/// <param name="SampledChunks">Chunks tokenized (the calibration's deterministic sample).</param>
/// <param name="Warnings">Rates above the service's Rag:Retrieval:ModelFit limits, in words; empty when the model fits.</param>
public sealed record ModelFitStats(string ModelId, int SampledChunks, double UnknownTokenRate, double TruncationRate, int MaxSequenceLength, IReadOnlyList<string> Warnings);
