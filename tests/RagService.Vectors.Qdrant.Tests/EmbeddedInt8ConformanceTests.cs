using RagService.Vectors.Hnsw;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>
/// The conformance suite over the embedded HNSW engine with int8 vectors (Rag:Vectors:Quantization=int8), every search
/// sent through the graph: no exact scan for small collections or selective filters, so the int8 graph, its filters and
/// its float re-scoring answer each case.
/// </summary>
public sealed class EmbeddedInt8ConformanceTests : EmbeddedConformanceTests
{
    protected override VectorIndexOptions Options => new()
    {
        Quantization = VectorQuantization.Int8,
        ExactSearchThreshold = 0,
        FilteredExactMaxMatches = 0,
        FilterSelectivityThreshold = 0,
        FloatVectorDirectory = Path.Combine(Folder, "floats"),
    };
}
