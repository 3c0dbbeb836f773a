namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// One generation of an index: its vectors and, for HNSW, the graph over them. Compaction builds a
/// new generation and swaps it in; searches keep using the one they started with.
/// </summary>
internal sealed class IndexState(VectorCollection vectors, HnswGraph? graph)
{
    public VectorCollection Vectors { get; } = vectors;

    public HnswGraph? Graph { get; } = graph;

    /// <summary>
    /// An empty generation. An HNSW index with int8 quantisation stores codes for the graph and floats in a file; it
    /// uses <paramref name="quantizer"/> when given, else it calibrates on the first vectors stored.
    /// </summary>
    public static IndexState Create(int dimension, VectorIndexOptions options, bool withGraph, Quantization.ScalarQuantizer? quantizer = null)
    {
        int headerInts = withGraph ? HnswGraph.Level0RecordInts(options.M) : 0;
        var vectors = withGraph && options.Quantization == VectorQuantization.Int8
            ? new VectorCollection(dimension, headerInts, options.FloatVectorDirectory, quantizer)
            : new VectorCollection(dimension, headerInts);
        var graph = withGraph ? new HnswGraph(vectors, options.M, options.EfConstruction, options.Seed) : null;
        return new IndexState(vectors, graph);
    }
}
