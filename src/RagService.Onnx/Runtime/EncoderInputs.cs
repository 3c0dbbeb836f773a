using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Runtime;

/// <summary>
/// Builds the padded [batch, seq] input tensors of a transformer encoder from tokenized texts:
/// input_ids, attention_mask and, when the model has it, token_type_ids.
/// </summary>
internal sealed class EncoderInputs
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";

    private readonly bool _withTypes;
    private readonly int _padId;

    public EncoderInputs(OnnxSession session, int padId)
    {
        foreach (var required in new[] { InputIds, AttentionMask })
        {
            if (!session.Inputs.ContainsKey(required))
            {
                throw new InvalidDataException(
                    $"The model has no '{required}' input (inputs: {string.Join(", ", session.InputNames)}); a transformer encoder export is expected.");
            }
        }

        var unsupported = session.InputNames.Except([InputIds, AttentionMask, TokenTypeIds]).ToArray();
        if (unsupported.Length > 0)
        {
            throw new InvalidDataException($"The model has inputs this encoder cannot fill: {string.Join(", ", unsupported)}.");
        }

        _withTypes = session.Inputs.ContainsKey(TokenTypeIds);
        _padId = padId;
    }

    /// <summary>Pads every sequence to the longest one in <paramref name="batch"/> (dynamic padding).</summary>
    public TensorInput[] Build(IReadOnlyList<TokenizedText> batch, out int sequenceLength)
    {
        sequenceLength = Math.Max(1, batch.Max(t => t.Length));
        var size = batch.Count * sequenceLength;
        var ids = new long[size];
        var mask = new long[size];
        var types = _withTypes ? new long[size] : null;
        Array.Fill(ids, _padId);
        for (var b = 0; b < batch.Count; b++)
        {
            var row = b * sequenceLength;
            var text = batch[b];
            for (var t = 0; t < text.Length; t++)
            {
                ids[row + t] = text.Ids[t];
                mask[row + t] = 1;
                if (types is not null)
                {
                    types[row + t] = text.TypeIds[t];
                }
            }
        }

        long[] shape = [batch.Count, sequenceLength];
        return types is null
            ? [new(InputIds, ids, shape), new(AttentionMask, mask, shape)]
            : [new(InputIds, ids, shape), new(AttentionMask, mask, shape), new(TokenTypeIds, types, shape)];
    }

    /// <summary>Groups indices by token length so each batch pads little; returns batches of original indices.</summary>
    public static IEnumerable<int[]> LengthSortedBatches(IReadOnlyList<TokenizedText> texts, int batchSize)
    {
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ToArray();
        return order.Chunk(Math.Max(1, batchSize));
    }
}
