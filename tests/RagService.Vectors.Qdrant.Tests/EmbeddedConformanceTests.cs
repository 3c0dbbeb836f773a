using RagService.Core.Indexing;
using RagService.Vectors.Hnsw;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>The conformance suite over the embedded HNSW engine (always runs).</summary>
public class EmbeddedConformanceTests : VectorIndexConformance
{
    /// <summary>The engine's options (the defaults here; a subclass runs the suite with others).</summary>
    protected virtual VectorIndexOptions Options => new();

    private string Snapshots => Path.Combine(Folder, "vectors");

    protected override string? SkipReason => null;

    protected override IVectorSearchIndex OpenIndex(IIndexSource source) => new HnswVectorSearchIndex(source, Snapshots, Options);

    protected override void AssertNoVectorsLeft(long collectionId) =>
        Assert.Empty(Directory.Exists(Snapshots) ? Directory.GetFiles(Snapshots, $"collection-{collectionId}.*") : []);
}
