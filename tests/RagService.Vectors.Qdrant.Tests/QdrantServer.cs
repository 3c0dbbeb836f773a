using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>
/// The Qdrant server the Qdrant half of the conformance suite runs against, found once per test run:
/// RAG_QDRANT_URL (a gRPC URL such as http://localhost:6334), else a container of the pinned image when a Docker
/// engine is reachable, else none, with the reason the tests report as their skip reason.
/// </summary>
internal sealed class QdrantServer
{
    /// <summary>The pinned server image; keep it equal to docker-compose.yml and .github/workflows/ci.yml.</summary>
    public const string Image = "qdrant/qdrant:v1.19.1";

    private static readonly Lazy<QdrantServer> Lazy = new(Find);

    private QdrantServer(string? url, string? skipReason)
    {
        Url = url;
        SkipReason = skipReason;
    }

    public static QdrantServer Instance => Lazy.Value;

    public string? Url { get; }

    public string? SkipReason { get; }

    private static QdrantServer Find()
    {
        if (Environment.GetEnvironmentVariable("RAG_QDRANT_URL") is { Length: > 0 } url)
        {
            return new QdrantServer(url, null);
        }

        if (!DockerEngineReachable())
        {
            return new QdrantServer(null, "no Qdrant server: RAG_QDRANT_URL is not set and no Docker engine was found (CI runs these against a Qdrant service container)");
        }

        IContainer container = new ContainerBuilder(Image)
            .WithPortBinding(6333, assignRandomHostPort: true)
            .WithPortBinding(6334, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(6333).ForPath("/readyz")))
            .Build();
        container.StartAsync().GetAwaiter().GetResult(); // removed by Testcontainers' reaper when the test run ends
        return new QdrantServer($"http://{container.Hostname}:{container.GetMappedPublicPort(6334)}", null);
    }

    private static bool DockerEngineReachable() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock");
}
