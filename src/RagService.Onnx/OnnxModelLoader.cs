using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using RagService.Core.Models;
using RagService.Onnx.Embeddings;
using RagService.Onnx.Reranking;
using RagService.Onnx.Runtime;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx;

/// <summary>
/// Entry point for the host: builds the embedder and the reranker from their options and reports a
/// <see cref="ComponentStatus"/> for /health/ready. Never throws: no directory gives "off", any failure gives "failed"
/// with a reason that names the file and the fix. Whether a failure stops the start is the host's call
/// (<see cref="OnnxModelOptions.Required"/>).
/// </summary>
public static class OnnxModelLoader
{
    public const string DenseComponent = "dense";
    public const string RerankComponent = "rerank";

    /// <summary>When the options carry no length and the model files declare none.</summary>
    private const int FallbackMaxLength = 512;

    /// <summary>ORT's session config key behind <see cref="OnnxModelOptions.IntraOpSpinning"/>.</summary>
    internal const string AllowSpinningKey = "session.intra_op.allow_spinning";

    public static (ITextEmbedder? Embedder, ComponentStatus Status) LoadEmbedder(OnnxModelOptions options) =>
        LoadEmbedder(options, NullLogger.Instance);

    public static (ITextEmbedder? Embedder, ComponentStatus Status) LoadEmbedder(OnnxModelOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Load(DenseComponent, options, EmbedderSessionSettings, logger, (directory, session, tokenizer, maxLength) =>
        {
            var pooling = options.Pooling is { Length: > 0 } p ? Pooling.Parse(p) : directory.DeclaredPooling() ?? PoolingMode.Mean;
            var modelId = ModelIdOf(options, directory);
            var (query, passage) = KnownPrefixes.For(modelId);
            var settings = new EmbedderSettings(modelId, pooling, maxLength, Math.Max(1, options.BatchSize),
                options.QueryPrefix ?? query, options.PassagePrefix ?? passage, options.Normalize, directory.SentenceTransformersLowercase());
            var embedder = new OnnxTextEmbedder(session, tokenizer.Tokenizer, settings);
            // One real call checks the output's shape and the pooling before the service relies on it.
            embedder.EmbedAsync(["probe"], EmbeddingPurpose.Query, CancellationToken.None).GetAwaiter().GetResult();
            var detail = $"{modelId} on {session.ExecutionProvider}, dim {embedder.Dimension}, {pooling.ToString().ToLowerInvariant()} pooling, " +
                $"max {maxLength} tokens, {tokenizer.Kind} tokenizer";
            return (embedder, detail);
        });
    }

    public static (IReranker? Reranker, ComponentStatus Status) LoadReranker(OnnxModelOptions options) =>
        LoadReranker(options, NullLogger.Instance);

    public static (IReranker? Reranker, ComponentStatus Status) LoadReranker(OnnxModelOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Load(RerankComponent, options, RerankerSessionSettings, logger, (directory, session, tokenizer, maxLength) =>
        {
            var modelId = ModelIdOf(options, directory);
            var sigmoid = options.ScoreActivation.Trim().ToLowerInvariant() switch
            {
                "sigmoid" => true,
                "" or "none" or "logit" => false,
                var other => throw new ArgumentException($"Unknown ScoreActivation '{other}'; use none or sigmoid."),
            };
            var reranker = new OnnxCrossEncoder(session, tokenizer.Tokenizer, new CrossEncoderSettings(modelId, maxLength, Math.Max(1, options.BatchSize), sigmoid));
            reranker.ScoreAsync("probe", ["probe"], CancellationToken.None).GetAwaiter().GetResult();
            return (reranker, $"{modelId} on {session.ExecutionProvider}, max {maxLength} tokens, {(sigmoid ? "sigmoid" : "logit")} scores");
        });
    }

    /// <summary>Stops the start when a model marked <see cref="OnnxModelOptions.Required"/> failed to load.</summary>
    /// <param name="section">Configuration section, named in the message, e.g. "Rag:Embedding".</param>
    public static void ThrowIfRequiredFailed(string section, OnnxModelOptions options, ComponentStatus status)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(status);
        if (options.Required && status.State == "failed")
        {
            throw new InvalidOperationException(
                $"{section}:Required is true and the model failed to load: {status.Detail} " +
                $"(set {section}:Required=false to start without it).");
        }
    }

    private static (T? Component, ComponentStatus Status) Load<T>(string name, OnnxModelOptions options, Func<OnnxModelOptions, SessionSettings> sessionSettings, ILogger logger,
        Func<ModelDirectory, OnnxSession, LoadedTokenizer, int, (T Component, string Detail)> build)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(options.ModelDirectory))
        {
            return (null, ComponentStatus.Off(name, "no model directory configured"));
        }

        OnnxSession? session = null;
        try
        {
            var directory = ModelDirectory.Open(options.ModelDirectory);
            var tokenizer = TokenizerLoader.FromDirectory(directory.Path);
            session = OpenSession(directory.ModelFile, sessionSettings(options));
            if (session.ProviderWarning is { } warning)
            {
                logger.ModelWarning(name, directory.Path, warning);
            }

            CheckVocabulary(session, tokenizer, directory.ModelFile);
            var maxLength = options.MaxSequenceLength
                ?? directory.SentenceTransformersMaxLength()
                ?? MinKnown(tokenizer.ModelMaxLength, directory.PositionLimit())
                ?? FallbackMaxLength;
            var (component, detail) = Built(build, directory, session, tokenizer, maxLength);
            if (session.ProviderWarning is not null)
            {
                detail += " (CUDA unavailable, fell back to CPU)";
            }

            logger.ModelLoaded(name, detail, OrtEnv.Instance().GetVersionString());
            return (component, ComponentStatus.On(name, detail));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            session?.Dispose();
            logger.ModelFailed(ex, name, options.ModelDirectory);
            return (null, ComponentStatus.Failed(name, $"{options.ModelDirectory}: {ex.Message}"));
        }
    }

    private static OnnxSession OpenSession(string modelFile, SessionSettings settings)
    {
        try
        {
            return OnnxSession.Open(modelFile, settings);
        }
        catch (OnnxRuntimeException ex) when (settings.ExecutionProvider == ExecutionProviderKind.Cuda && LooksLikeProviderFailure(ex))
        {
            throw new InvalidOperationException(
                $"ExecutionProvider cuda: ONNX Runtime could not use CUDA: {ex.Message} " +
                "Run the CUDA build (built with -p:RagOnnxGpu=true, CUDA 13 and cuDNN installed) or set ExecutionProvider to cpu or auto.", ex);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException(
                $"{modelFile} is not a usable ONNX model: {ex.Message} Replace it with the model's ONNX export " +
                "(for all-MiniLM-L6-v2: delete it and run deploy/setup.sh).", ex);
        }
    }

    private static bool LooksLikeProviderFailure(OnnxRuntimeException ex) =>
        ex.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("provider", StringComparison.OrdinalIgnoreCase)
        || ex.Message.Contains("cannot open shared object", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs the highest id of the tokenizer's vocabulary through the model: a vocabulary larger than the model's embedding table fails here.</summary>
    private static void CheckVocabulary(OnnxSession session, LoadedTokenizer tokenizer, string modelFile)
    {
        if (tokenizer.VocabularySize <= 0)
        {
            return;
        }

        long[] shape = [1, 2];
        var inputs = new List<TensorInput>
        {
            new(EncoderInputs.InputIds, [0, tokenizer.VocabularySize - 1], shape),
            new(EncoderInputs.AttentionMask, [1, 1], shape),
        };
        if (session.Inputs.ContainsKey(EncoderInputs.TokenTypeIds))
        {
            inputs.Add(new(EncoderInputs.TokenTypeIds, [0, 0], shape));
        }

        if (!session.Inputs.ContainsKey(EncoderInputs.InputIds) || !session.Inputs.ContainsKey(EncoderInputs.AttentionMask))
        {
            return; // EncoderInputs reports the missing inputs with its own message.
        }

        try
        {
            session.Run([.. inputs], session.OutputNames[0]);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException(
                $"The vocabulary {tokenizer.File} has {tokenizer.VocabularySize} tokens, but {modelFile} rejects id {tokenizer.VocabularySize - 1} ({ex.Message}). " +
                "The tokenizer files do not belong to this model: use the vocab.txt/tokenizer.json exported with it.", ex);
        }
    }

    private static (T Component, string Detail) Built<T>(Func<ModelDirectory, OnnxSession, LoadedTokenizer, int, (T, string)> build,
        ModelDirectory directory, OnnxSession session, LoadedTokenizer tokenizer, int maxLength)
    {
        try
        {
            return build(directory, session, tokenizer, maxLength);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{directory.ModelFile}: {ex.Message} Use an encoder export with that output.", ex);
        }
    }

    /// <summary>The embedder's session: intra-op threads do not spin unless <see cref="OnnxModelOptions.IntraOpSpinning"/> says so.</summary>
    internal static SessionSettings EmbedderSessionSettings(OnnxModelOptions options) => SettingsFrom(options, spinsByDefault: false);

    /// <summary>The cross-encoder's session: ORT's default (spinning) unless <see cref="OnnxModelOptions.IntraOpSpinning"/> says otherwise.</summary>
    internal static SessionSettings RerankerSessionSettings(OnnxModelOptions options) => SettingsFrom(options, spinsByDefault: true);

    private static SessionSettings SettingsFrom(OnnxModelOptions options, bool spinsByDefault)
    {
        var entries = new Dictionary<string, string>(options.SessionConfigEntries);
        entries.TryAdd(AllowSpinningKey, (options.IntraOpSpinning ?? spinsByDefault) ? "1" : "0");
        return new()
        {
            IntraOpThreads = Math.Max(0, options.IntraOpThreads),
            ExecutionProvider = SessionSettings.ParseProvider(options.ExecutionProvider),
            CudaDeviceId = options.DeviceId,
            GpuMemoryLimitBytes = options.GpuMemoryLimitBytes,
            ConfigEntries = entries,
        };
    }

    private static string ModelIdOf(OnnxModelOptions options, ModelDirectory directory) =>
        string.IsNullOrWhiteSpace(options.ModelId) ? directory.Name : options.ModelId;

    private static int? MinKnown(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
