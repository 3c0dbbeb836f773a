using RagService.VectorIndex.Internal;

namespace RagService.VectorIndex;

/// <summary>Brute-force index behind the same interface: for small collections and as ground truth in tests.</summary>
public sealed class ExactVectorIndex : EmbeddedVectorIndex
{
    public ExactVectorIndex(int dimension, VectorIndexOptions? options = null) : base(dimension, options, withGraph: false)
    {
    }

    internal ExactVectorIndex(VectorIndexOptions options, IndexState restored) : base(options, restored)
    {
    }
}
