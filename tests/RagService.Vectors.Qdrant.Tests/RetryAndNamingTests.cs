using Grpc.Core;
using RagService.Core.Storage;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>The retry policy (with the delays recorded instead of slept) and the collection naming, without a server.</summary>
public sealed class RetryAndNamingTests
{
    private static readonly QdrantOptions Options = new() { Url = "http://q:6334", MaxRetries = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(100) };

    [Fact]
    public async Task Transient_failures_are_retried_with_doubling_delays_then_answered()
    {
        var delays = new List<TimeSpan>();
        var retry = new QdrantRetry(Options, (d, _) =>
        {
            delays.Add(d);
            return Task.CompletedTask;
        });
        var calls = 0;

        var answer = await retry.RunAsync("search", _ =>
            ++calls < 4 ? throw new RpcException(new Status(StatusCode.Unavailable, "down")) : Task.FromResult(42), default);

        Assert.Equal(42, answer);
        Assert.Equal([100, 200, 400], delays.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task After_the_last_retry_the_error_names_qdrant_what_failed_and_the_status()
    {
        var retry = new QdrantRetry(Options, (_, _) => Task.CompletedTask);
        var calls = 0;

        var e = await Assert.ThrowsAsync<StorageUnavailableException>(() => retry.RunAsync<int>("store vectors", _ =>
        {
            calls++;
            throw new RpcException(new Status(StatusCode.Unavailable, "connection refused"));
        }, default));

        Assert.Equal(4, calls);
        Assert.Equal("the Qdrant vector store at q:6334 failed to store vectors: Unavailable (connection refused)", e.Message);
    }

    [Fact]
    public async Task A_request_qdrant_rejects_is_not_retried()
    {
        var retry = new QdrantRetry(Options, (_, _) => throw new InvalidOperationException("no delay expected"));
        var calls = 0;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => retry.RunAsync<int>("search", _ =>
        {
            calls++;
            throw new RpcException(new Status(StatusCode.InvalidArgument, "wrong vector size"));
        }, default));

        Assert.Equal(1, calls);
    }

    [Fact]
    public void Physical_names_carry_the_collection_id_and_generation_behind_the_alias()
    {
        var names = new QdrantCollectionNames("rag_");
        Assert.Equal("rag_kb-2", names.Alias("kb-2"));
        Assert.Equal("rag_kb-2--c17g3", names.Physical("kb-2", 17, 3));
        Assert.Equal((17L, 3), names.Parse("rag_kb-2--c17g3"));
        Assert.Null(names.Parse("other_kb--c17g3"));
        Assert.Null(names.Parse("rag_kb"));
    }
}
