using Grpc.Core;
using RagService.Core.Storage;
using RagService.Tests.Clocks;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>
/// Qdrant calls through their circuit (retries on a fake clock the test moves, a call counter for what reached the
/// server) and the collection naming, without a server.
/// </summary>
public sealed class CallsAndNamingTests
{
    private static readonly QdrantOptions Options = new()
    {
        Url = "http://q:6334", MaxRetries = 3, RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        Breaker = new() { MinimumThroughput = 100 },
    };

    private static RpcException Unavailable() => new(new Status(StatusCode.Unavailable, "connection refused"));

    [Fact]
    public async Task Transient_failures_are_retried_after_delays_then_answered()
    {
        var clock = new TimerGateClock();
        using var calls = new QdrantCalls(Options, clock);
        var count = 0;

        var answer = calls.RunAsync("search", _ => ++count < 4 ? throw Unavailable() : Task.FromResult(42), default);
        for (var retry = 0; retry < 3; retry++)
        {
            await clock.AdvancePastNextTimerAsync();
        }

        Assert.Equal(42, await answer);
        Assert.Equal(4, count);
    }

    [Fact]
    public async Task After_the_last_retry_the_error_names_qdrant_what_failed_and_the_status()
    {
        var clock = new TimerGateClock();
        using var calls = new QdrantCalls(Options, clock);
        var count = 0;

        var run = calls.RunAsync<int>("store vectors", _ =>
        {
            count++;
            throw Unavailable();
        }, default);
        await clock.AdvanceUntilDoneAsync(run);

        var e = await Assert.ThrowsAsync<StorageUnavailableException>(() => run);
        Assert.Equal(4, count);
        Assert.Equal("the Qdrant vector store at q:6334 failed to store vectors: Unavailable (connection refused)", e.Message);
    }

    [Fact]
    public async Task A_request_qdrant_rejects_is_not_retried()
    {
        var clock = new TimerGateClock();
        using var calls = new QdrantCalls(Options, clock);
        var count = 0;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => calls.RunAsync<int>("search", _ =>
        {
            count++;
            throw new RpcException(new Status(StatusCode.InvalidArgument, "wrong vector size"));
        }, default));

        Assert.Equal(1, count);
        Assert.Equal(0, clock.TimersSet);
    }

    [Fact]
    public async Task While_the_circuit_is_open_a_call_fails_at_once_and_says_so()
    {
        var clock = new TimerGateClock();
        using var calls = new QdrantCalls(Options with { MaxRetries = 0, Breaker = new() { MinimumThroughput = 2, BreakDuration = TimeSpan.FromSeconds(20) } }, clock);
        var count = 0;
        Task<int> Search() => calls.RunAsync<int>("search", _ =>
        {
            count++;
            throw Unavailable();
        }, default);

        await Assert.ThrowsAsync<StorageUnavailableException>(Search);
        await Assert.ThrowsAsync<StorageUnavailableException>(Search);
        var e = await Assert.ThrowsAsync<StorageUnavailableException>(Search);

        Assert.Equal(2, count);
        Assert.Equal("the Qdrant vector store at q:6334 failed to search: circuit open after repeated failures, next try in 20 s", e.Message);
    }

    [Theory]
    [InlineData(1.5, 2)]
    [InlineData(0.5, 0)]
    public void Breaker_options_out_of_range_stop_the_start_with_the_setting(double ratio, int throughput)
    {
        var options = Options with { Breaker = new() { FailureRatio = ratio, MinimumThroughput = throughput } };
        var e = Assert.ThrowsAny<ArgumentException>(() => options.Validate());
        Assert.Contains("Rag:Qdrant:Breaker:", e.Message, StringComparison.Ordinal);
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
