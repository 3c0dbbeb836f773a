using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw;

/// <summary>Approximate nearest-neighbour index: an HNSW graph over L2-normalised float32 vectors, score = inner product.</summary>
public sealed class HnswIndex : NeighbourIndex
{
    public HnswIndex(int dimension, VectorIndexOptions? options = null) : base(dimension, options, withGraph: true)
    {
    }

    internal HnswIndex(VectorIndexOptions options, IndexState restored) : base(options, restored)
    {
    }

    internal HnswGraph Graph => State.Graph!;

    /// <summary>
    /// Walks the whole graph and counts unreachable and in-degree-0 nodes per level (O(nodes · M); meant for
    /// diagnostics and tests, not for every request). Exact when no write runs meanwhile.
    /// </summary>
    public GraphHealth CheckGraph() => GraphConsistency.Inspect(State);
}
