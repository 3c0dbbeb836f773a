using Microsoft.Extensions.Logging;
using RagService.Core.Models;
using RagService.Onnx.Embeddings;
using RagService.Onnx.Reranking;
using RagService.Onnx.Runtime;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx;

/// <summary>
/// Entry point for the host: builds the embedder and the reranker from their options and reports a
/// <see cref="ComponentStatus"/> for /health/ready. Never throws: no directory gives "off", any failure gives "failed"
/// with the reason.
/// </summary>
public static class OnnxModelLoader
{
    public const string DenseComponent = "dense";
    public const string RerankComponent = "rerank";

    /// <summary>When the options carry no length and the model files declare none.</summary>
    private const int FallbackMaxLength = 512;

    public static (ITextEmbedder? Embedder, ComponentStatus Status) LoadEmbedder(OnnxModelOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Load(DenseComponent, options, logger, (directory, session, tokenizer, maxLength) =>
        {
            var pooling = options.Pooling is { Length: > 0 } p ? Pooling.Parse(p) : directory.DeclaredPooling() ?? PoolingMode.Mean;
            var modelId = ModelIdOf(options, directory);
            var (query, passage) = KnownPrefixes.For(modelId);
            var settings = new EmbedderSettings(modelId, pooling, maxLength, Math.Max(1, options.BatchSize),
                options.QueryPrefix ?? query, options.PassagePrefix ?? passage, options.Normalize);
            var embedder = new OnnxTextEmbedder(session, tokenizer.Tokenizer, settings);
            var detail = $"{modelId} on {session.ExecutionProvider}, dim {embedder.Dimension}, {pooling.ToString().ToLowerInvariant()} pooling, " +
                $"max {maxLength} tokens, {tokenizer.Kind} tokenizer";
            return (embedder, detail);
        });
    }

    public static (IReranker? Reranker, ComponentStatus Status) LoadReranker(OnnxModelOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Load(RerankComponent, options, logger, (directory, session, tokenizer, maxLength) =>
        {
            var modelId = ModelIdOf(options, directory);
            var sigmoid = options.ScoreActivation.Trim().ToLowerInvariant() switch
            {
                "sigmoid" => true,
                "" or "none" or "logit" => false,
                var other => throw new ArgumentException($"Unknown ScoreActivation '{other}'; use none or sigmoid."),
            };
            var reranker = new OnnxCrossEncoder(session, tokenizer.Tokenizer, new CrossEncoderSettings(modelId, maxLength, Math.Max(1, options.BatchSize), sigmoid));
            return (reranker, $"{modelId} on {session.ExecutionProvider}, max {maxLength} tokens, {(sigmoid ? "sigmoid" : "logit")} scores");
        });
    }

    private static (T? Component, ComponentStatus Status) Load<T>(string name, OnnxModelOptions options, ILogger? logger,
        Func<ModelDirectory, InferenceSession, LoadedTokenizer, int, (T Component, string Detail)> build)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(options.ModelDirectory))
        {
            return (null, ComponentStatus.Off(name, "no model directory configured"));
        }

        InferenceSession? session = null;
        try
        {
            var directory = ModelDirectory.Open(options.ModelDirectory);
            var tokenizer = TokenizerLoader.FromDirectory(directory.Path);
            var runtime = OrtRuntime.Get(options.OrtLibraryPath);
            session = InferenceSession.Open(directory.ModelFile, SettingsFrom(options), runtime);
            if (session.ProviderWarning is { } warning)
            {
                logger?.LogWarning("{Component} model {Directory}: {Warning}", name, directory.Path, warning);
            }

            var maxLength = options.MaxSequenceLength ?? MinKnown(tokenizer.ModelMaxLength, directory.PositionLimit()) ?? FallbackMaxLength;
            var (component, detail) = build(directory, session, tokenizer, maxLength);
            if (session.ProviderWarning is not null)
            {
                detail += " (CUDA unavailable, fell back to CPU)";
            }

            logger?.LogInformation("{Component} model loaded: {Detail} (ONNX Runtime {Version} from {Library})", name, detail, runtime.Version, runtime.LibraryPath);
            return (component, ComponentStatus.On(name, detail));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            session?.Dispose();
            logger?.LogError(ex, "{Component} model from {Directory} failed to load", name, options.ModelDirectory);
            return (null, ComponentStatus.Failed(name, $"{options.ModelDirectory}: {ex.Message}"));
        }
    }

    internal static SessionSettings SettingsFrom(OnnxModelOptions options) => new()
    {
        IntraOpThreads = Math.Max(0, options.IntraOpThreads),
        ExecutionProvider = SessionSettings.ParseProvider(options.ExecutionProvider),
        CudaDeviceId = options.DeviceId,
        GpuMemoryLimitBytes = options.GpuMemoryLimitBytes,
        ConfigEntries = new Dictionary<string, string>(options.SessionConfigEntries),
    };

    private static string ModelIdOf(OnnxModelOptions options, ModelDirectory directory) =>
        string.IsNullOrWhiteSpace(options.ModelId) ? directory.Name : options.ModelId;

    private static int? MinKnown(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
