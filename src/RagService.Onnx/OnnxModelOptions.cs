namespace RagService.Onnx;

/// <summary>
/// Configuration of one ONNX model (embedder or cross-encoder), bindable from configuration
/// (e.g. <c>Rag:Embedding:ModelDirectory</c>). Unset values come from the model directory's config files.
/// </summary>
public sealed class OnnxModelOptions
{
    /// <summary>Directory holding model.onnx (or onnx/model.onnx) and tokenizer.json or vocab.txt. Empty: the component is off.</summary>
    public string? ModelDirectory { get; set; }

    /// <summary>Identifier stored with vectors; defaults to the directory name.</summary>
    public string? ModelId { get; set; }

    /// <summary>cpu | cuda | auto.</summary>
    public string ExecutionProvider { get; set; } = "cpu";

    public int DeviceId { get; set; }

    /// <summary>CUDA memory arena limit in bytes; 0 for no limit.</summary>
    public ulong GpuMemoryLimitBytes { get; set; }

    /// <summary>ORT intra-op threads; 0 lets ORT use one per core.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Whether ORT's intra-op threads spin while waiting for work (ORT's <c>session.intra_op.allow_spinning</c>).
    /// Unset: off for the embedder (spinning burns the CPU a sync job's writer needs between embedding batches, and did
    /// not shorten query embedding measurably; docs/onnx.md), ORT's default (on) for the cross-encoder. An explicit
    /// <c>session.intra_op.allow_spinning</c> in <see cref="SessionConfigEntries"/> takes precedence.
    /// </summary>
    public bool? IntraOpSpinning { get; set; }

    /// <summary>
    /// Maximum tokens per sequence or pair (special tokens included); longer input is truncated. Default:
    /// sentence_bert_config.json's max_seq_length, else the tokenizer/model limit, else 512.
    /// </summary>
    public int? MaxSequenceLength { get; set; }

    /// <summary>Sequences per ORT run.</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>cls | mean; default from 1_Pooling/config.json (sentence-transformers), else mean.</summary>
    public string? Pooling { get; set; }

    /// <summary>Prepended to queries, e.g. "query: " for e5 or bge-zh's instruction; default from the model id when known.</summary>
    public string? QueryPrefix { get; set; }

    /// <summary>Prepended to passages, e.g. "passage: " for e5.</summary>
    public string? PassagePrefix { get; set; }

    /// <summary>L2-normalise embeddings (the ITextEmbedder contract expects it).</summary>
    public bool Normalize { get; set; } = true;

    /// <summary>Cross-encoder only: none (raw logit) | sigmoid.</summary>
    public string ScoreActivation { get; set; } = "none";

    /// <summary>ORT session config entries, e.g. <c>session.intra_op.allow_spinning</c> = <c>0</c> on a busy shared host.</summary>
    public IDictionary<string, string> SessionConfigEntries { get; } = new Dictionary<string, string>();

    /// <summary>
    /// When true, a model that is configured but fails to load stops the service at start-up; when false (default) the
    /// stage is reported as failed and the service runs without it (BM25-only for the embedder).
    /// </summary>
    public bool Required { get; set; }
}
