using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw;

/// <summary>Brute-force index behind the same interface: for small collections and as ground truth in tests.</summary>
public sealed class ExactIndex : NeighbourIndex
{
    public ExactIndex(int dimension, VectorIndexOptions? options = null) : base(dimension, options, withGraph: false)
    {
    }

    internal ExactIndex(VectorIndexOptions options, IndexState restored) : base(options, restored)
    {
    }
}
