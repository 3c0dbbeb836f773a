using RagService.Core.Models;
using RagService.Onnx.Runtime;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Embeddings;

/// <summary>How an <see cref="OnnxTextEmbedder"/> turns texts into vectors.</summary>
public sealed record EmbedderSettings(
    string ModelId,
    PoolingMode Pooling,
    int MaxSequenceLength,
    int BatchSize = 32,
    string QueryPrefix = "",
    string PassagePrefix = "",
    bool Normalize = true,
    bool LowercaseInput = false);

/// <summary>
/// Sentence embeddings from a transformer encoder run by ONNX Runtime: prefixes, tokenization with truncation,
/// length-sorted batches with dynamic padding, CLS or mean pooling, L2 normalisation.
/// </summary>
public sealed class OnnxTextEmbedder : ITextEmbedder, IDisposable
{
    private static readonly string[] PreferredOutputs = ["last_hidden_state", "token_embeddings", "sentence_embedding"];

    private readonly OnnxSession _session;
    private readonly ITokenizer _tokenizer;
    private readonly EncoderInputs _inputs;
    private readonly string _outputName;
    private readonly bool _outputIsPooled;

    public OnnxTextEmbedder(OnnxSession session, ITokenizer tokenizer, EmbedderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(settings);
        _session = session;
        _tokenizer = tokenizer;
        Settings = settings;
        _inputs = new EncoderInputs(session, tokenizer.PadId);
        _outputName = PreferredOutputs.FirstOrDefault(session.Outputs.ContainsKey)
            ?? session.OutputNames.FirstOrDefault(n => session.Outputs[n].Length is 2 or 3)
            ?? throw new InvalidDataException($"The model has no [batch, seq, dim] or [batch, dim] output (outputs: {string.Join(", ", session.OutputNames)}).");
        var dims = session.Outputs[_outputName];
        _outputIsPooled = dims.Length == 2;
        Dimension = dims[^1] > 0 ? (int)dims[^1] : ProbeDimension();
        if (Dimension < 2)
        {
            throw new InvalidDataException(
                $"Model output '{_outputName}' has {Dimension} value per text; an embedding model gives a vector (this looks like a cross-encoder's score).");
        }
    }

    public EmbedderSettings Settings { get; }

    public string ModelId => Settings.ModelId;

    public int Dimension { get; }

    /// <summary>"cpu" or "cuda:N".</summary>
    public string ExecutionProvider => _session.ExecutionProvider;

    /// <summary>Unknown tokens and texts longer than the model's sequence length (special tokens counted), as passages.</summary>
    public ModelFit MeasureFit(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var special = _tokenizer.Encode("", Settings.MaxSequenceLength).Length;
        long tokens = 0, unknown = 0;
        var truncated = 0;
        foreach (var text in texts)
        {
            var (count, unk) = _tokenizer.Count(Settings.LowercaseInput ? (Settings.PassagePrefix + text).ToLowerInvariant() : Settings.PassagePrefix + text);
            tokens += count;
            unknown += unk;
            truncated += count + special > Settings.MaxSequenceLength ? 1 : 0;
        }

        return new ModelFit(texts.Count, tokens, unknown, truncated, Settings.MaxSequenceLength);
    }

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var prefix = purpose == EmbeddingPurpose.Query ? Settings.QueryPrefix : Settings.PassagePrefix;
        // sentence-transformers' do_lower_case lower-cases the whole input before the tokenizer sees it.
        var encoded = texts.Select(t => _tokenizer.Encode(Settings.LowercaseInput ? (prefix + t).ToLowerInvariant() : prefix + t, Settings.MaxSequenceLength))
            .ToArray();
        var vectors = new float[texts.Count][];
        foreach (var indices in EncoderInputs.LengthSortedBatches(encoded, Settings.BatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = indices.Select(i => encoded[i]).ToArray();
            var pooled = RunBatch(batch);
            for (var k = 0; k < indices.Length; k++)
            {
                vectors[indices[k]] = pooled[k];
            }
        }

        return Task.FromResult(vectors);
    }

    private float[][] RunBatch(TokenizedText[] batch)
    {
        var inputs = _inputs.Build(batch, out var sequenceLength);
        var output = _session.Run(inputs, _outputName);
        var result = new float[batch.Length][];
        var rowSize = _outputIsPooled ? Dimension : sequenceLength * Dimension;
        if (output.Data.Length != batch.Length * rowSize)
        {
            throw new InvalidDataException(
                $"Model output '{_outputName}' has shape [{string.Join(", ", output.Shape)}]; expected {batch.Length} x {(_outputIsPooled ? "" : sequenceLength + " x ")}{Dimension}.");
        }

        for (var b = 0; b < batch.Length; b++)
        {
            var rows = output.Data.AsSpan(b * rowSize, rowSize);
            var vector = _outputIsPooled ? rows.ToArray() : Pooling.Pool(rows, Dimension, batch[b].Length, Settings.Pooling);
            if (Settings.Normalize)
            {
                Pooling.NormalizeInPlace(vector);
            }

            result[b] = vector;
        }

        return result;
    }

    private int ProbeDimension()
    {
        var output = _session.Run(_inputs.Build([_tokenizer.Encode("a", Settings.MaxSequenceLength)], out _), _outputName);
        return (int)output.Shape[^1];
    }

    public void Dispose() => _session.Dispose();
}
