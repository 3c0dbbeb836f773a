using RagService.Core.Indexing;
using RagService.Vectors.Hnsw;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>The conformance suite over the embedded HNSW engine (always runs).</summary>
public sealed class EmbeddedConformanceTests : VectorIndexConformance
{
    private string Snapshots => Path.Combine(Folder, "vectors");

    protected override string? SkipReason => null;

    protected override IVectorSearchIndex OpenIndex(IIndexSource source) => new HnswVectorSearchIndex(source, Snapshots, new VectorIndexOptions());

    protected override void AssertNoVectorsLeft(long collectionId) =>
        Assert.Empty(Directory.Exists(Snapshots) ? Directory.GetFiles(Snapshots, $"collection-{collectionId}.*") : []);
}
