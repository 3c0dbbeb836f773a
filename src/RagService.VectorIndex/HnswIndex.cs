using RagService.VectorIndex.Internal;

namespace RagService.VectorIndex;

/// <summary>Approximate nearest-neighbour index: an HNSW graph over L2-normalised float32 vectors, score = inner product.</summary>
public sealed class HnswIndex : EmbeddedVectorIndex
{
    public HnswIndex(int dimension, VectorIndexOptions? options = null) : base(dimension, options, withGraph: true)
    {
    }

    internal HnswIndex(VectorIndexOptions options, IndexState restored) : base(options, restored)
    {
    }

    internal HnswGraph Graph => State.Graph!;
}
