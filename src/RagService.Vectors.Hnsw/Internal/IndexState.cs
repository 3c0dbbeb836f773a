namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// One generation of an index: its vectors and, for HNSW, the graph over them. Compaction builds a
/// new generation and swaps it in; searches keep using the one they started with.
/// </summary>
internal sealed class IndexState(VectorCollection vectors, HnswGraph? graph)
{
    public VectorCollection Vectors { get; } = vectors;

    public HnswGraph? Graph { get; } = graph;

    public static IndexState Create(int dimension, VectorIndexOptions options, bool withGraph)
    {
        var vectors = new VectorCollection(dimension, withGraph ? HnswGraph.Level0RecordInts(options.M) : 0);
        var graph = withGraph ? new HnswGraph(vectors, options.M, options.EfConstruction, options.Seed) : null;
        return new IndexState(vectors, graph);
    }
}
