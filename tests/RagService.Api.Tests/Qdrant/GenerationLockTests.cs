using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Cluster;
using RagService.Core.Indexing;
using RagService.Core.Storage;
using RagService.Vectors.Qdrant;

namespace RagService.Api.Tests.Qdrant;

/// <summary>
/// Two replicas' Qdrant adapters (two index instances, each with its own in-process gate) on one Qdrant, sharing one
/// cluster lock: the second to need a new generation waits for the first's lock, then uses the generation it created,
/// instead of finding it, taking it for a leftover and deleting it. The Qdrant is <see cref="StatefulQdrantServer"/>
/// (no Qdrant server runs here; the real-server suite runs with RAG_QDRANT_URL).
/// </summary>
public sealed class GenerationLockTests
{
    [Fact]
    public async Task Two_replicas_writing_the_first_vectors_of_a_collection_at_once_make_one_generation_and_delete_none()
    {
        await using var qdrant = await StatefulQdrantServer.StartAsync();
        var clusterLock = new WatchedLock(new InProcessClusterLock());
        var options = new QdrantOptions { Url = qdrant.Url, MaxRetries = 0, GenerationLockRetryInterval = TimeSpan.FromMilliseconds(10) };
        using var replicaA = new QdrantVectorSearchIndex(options, NullLogger.Instance, null, clusterLock);
        using var replicaB = new QdrantVectorSearchIndex(options, NullLogger.Instance, null, clusterLock);
        var kb = new CollectionInfo(7, "kb", new CollectionSettings(), DateTimeOffset.UnixEpoch);

        qdrant.HoldNextCreate();
        var writeA = replicaA.PrepareAsync(Write(kb, 1), CancellationToken.None);
        await qdrant.CreateArrived.WaitAsync(TimeSpan.FromSeconds(30)); // A holds the lock, its generation exists, not yet behind the alias
        var writeB = replicaB.PrepareAsync(Write(kb, 2), CancellationToken.None);
        await clusterLock.Refused.WaitAsync(TimeSpan.FromSeconds(30)); // the generous bound only stops a B that never asks for the lock
        qdrant.ReleaseCreate();
        await Task.WhenAll(writeA, writeB);

        var generation = Assert.Single(qdrant.Collections());
        Assert.Equal(("rag_kb--c7g1", 3UL), (generation.Name, generation.Size));
        Assert.Equal([1UL, 2UL], generation.Points); // both replicas' vectors, in the one generation
        Assert.Equal(new Dictionary<string, string> { ["rag_kb"] = "rag_kb--c7g1" }, qdrant.Aliases());
        Assert.Empty(qdrant.Deleted());
    }

    private static IndexChange Write(CollectionInfo collection, long chunkId) =>
        new(collection, chunkId, [], [new IndexEntry(chunkId, "text", ["text"], [], [1f, 0f, (float)chunkId])],
            new IndexedDocument($"doc-{chunkId}", new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));

    /// <summary>The cluster lock, telling the test when a holder was refused (a replica is waiting for it).</summary>
    private sealed class WatchedLock(IClusterLock inner) : IClusterLock
    {
        private readonly TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Refused => _refused.Task;

        public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken ct)
        {
            var held = await inner.TryAcquireAsync(name, ct);
            if (held is null)
            {
                _refused.TrySetResult();
            }

            return held;
        }
    }
}
