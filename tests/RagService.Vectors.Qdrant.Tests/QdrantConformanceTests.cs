using Qdrant.Client.Grpc;
using RagService.Core.Indexing;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>
/// The conformance suite over a real Qdrant server: the one RAG_QDRANT_URL names (CI's service container), or one
/// started with Testcontainers when a Docker engine is reachable. Otherwise every case is reported as skipped with the reason.
/// Each test works under its own collection prefix and deletes what it made.
/// </summary>
public sealed class QdrantConformanceTests : VectorIndexConformance
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + "_";

    protected override string? SkipReason => QdrantServer.Instance.SkipReason;

    protected override IVectorSearchIndex OpenIndex(IIndexSource source) =>
        new QdrantVectorSearchIndex(new QdrantOptions { Url = QdrantServer.Instance.Url, CollectionPrefix = _prefix, Exact = true, SearchPageSize = 250 });

    protected override void AssertNoVectorsLeft(long collectionId) =>
        Assert.DoesNotContain(ListOurs(), name => name.Contains($"--c{collectionId}g", StringComparison.Ordinal));

    protected override void Cleanup()
    {
        if (QdrantServer.Instance.Url is null)
        {
            return;
        }

        using var client = Client();
        foreach (var name in ListOurs())
        {
            client.Collections.Delete(new DeleteCollection { CollectionName = name });
        }
    }

    private List<string> ListOurs()
    {
        using var client = Client();
        return client.Collections.List(new ListCollectionsRequest()).Collections.Select(c => c.Name).Where(n => n.StartsWith(_prefix, StringComparison.Ordinal)).ToList();
    }

    private static QdrantGrpcClient Client() => new(new Uri(QdrantServer.Instance.Url!));
}
