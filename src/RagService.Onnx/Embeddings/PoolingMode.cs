using System.Numerics.Tensors;

namespace RagService.Onnx.Embeddings;

public enum PoolingMode
{
    /// <summary>The first token's hidden state (BGE).</summary>
    Cls,

    /// <summary>The mean of the hidden states of non-padding tokens (e5, MiniLM sentence-transformers).</summary>
    Mean,
}

/// <summary>Reduces one sequence's token states [seq, dim] to a single vector.</summary>
internal static class Pooling
{
    public static PoolingMode Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "cls" => PoolingMode.Cls,
        "mean" => PoolingMode.Mean,
        _ => throw new ArgumentException($"Unknown pooling '{value}'; use cls or mean."),
    };

    /// <param name="states">Hidden states of one sequence, row-major [seq, dim] (padding rows included).</param>
    /// <param name="tokens">Number of real (unpadded) tokens; they come first.</param>
    public static float[] Pool(ReadOnlySpan<float> states, int dim, int tokens, PoolingMode mode)
    {
        var vector = new float[dim];
        if (mode == PoolingMode.Cls || tokens == 0)
        {
            states[..dim].CopyTo(vector);
            return vector;
        }

        for (var t = 0; t < tokens; t++)
        {
            TensorPrimitives.Add(vector, states.Slice(t * dim, dim), vector);
        }

        TensorPrimitives.Divide(vector, tokens, vector);
        return vector;
    }

    public static void NormalizeInPlace(float[] vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }
}
