using RagService.Core.Models;
using RagService.Onnx.Runtime;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Reranking;

/// <summary>How an <see cref="OnnxCrossEncoder"/> scores pairs.</summary>
public sealed record CrossEncoderSettings(string ModelId, int MaxSequenceLength, int BatchSize = 32, bool Sigmoid = false);

/// <summary>
/// A cross-encoder reranker run by ONNX Runtime: each (query, passage) pair is encoded together and the model's
/// relevance logit (the positive class for two-class heads) is the score, optionally squashed by a sigmoid.
/// </summary>
public sealed class OnnxCrossEncoder : IReranker, IDisposable
{
    private readonly OnnxSession _session;
    private readonly ITokenizer _tokenizer;
    private readonly EncoderInputs _inputs;
    private readonly string _outputName;

    public OnnxCrossEncoder(OnnxSession session, ITokenizer tokenizer, CrossEncoderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        _tokenizer = tokenizer;
        Settings = settings;
        _inputs = new EncoderInputs(session, tokenizer.PadId);
        _outputName = session.Outputs.ContainsKey("logits") ? "logits" : session.OutputNames[0];
    }

    public CrossEncoderSettings Settings { get; }

    public string ModelId => Settings.ModelId;

    public string ExecutionProvider => _session.ExecutionProvider;

    public Task<float[]> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passages);
        var encoded = passages.Select(p => _tokenizer.EncodePair(query, p, Settings.MaxSequenceLength)).ToArray();
        var scores = new float[passages.Count];
        foreach (var indices in EncoderInputs.LengthSortedBatches(encoded, Settings.BatchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var logits = RunBatch(indices.Select(i => encoded[i]).ToArray());
            for (var k = 0; k < indices.Length; k++)
            {
                scores[indices[k]] = Settings.Sigmoid ? 1f / (1f + MathF.Exp(-logits[k])) : logits[k];
            }
        }

        return Task.FromResult(scores);
    }

    private float[] RunBatch(TokenizedText[] batch)
    {
        var output = _session.Run(_inputs.Build(batch, out _), _outputName);
        var perPair = batch.Length == 0 ? 0 : output.Data.Length / batch.Length;
        if (perPair is < 1 or > 2 || perPair * batch.Length != output.Data.Length)
        {
            throw new InvalidDataException(
                $"Cross-encoder output '{_outputName}' has shape [{string.Join(", ", output.Shape)}]; expected one or two logits per pair.");
        }

        // One logit: relevance. Two, [not relevant, relevant]: their difference, whose sigmoid is the softmax probability.
        var logits = new float[batch.Length];
        for (var b = 0; b < batch.Length; b++)
        {
            logits[b] = perPair == 1 ? output.Data[b] : output.Data[(2 * b) + 1] - output.Data[2 * b];
        }

        return logits;
    }

    public void Dispose() => _session.Dispose();
}
