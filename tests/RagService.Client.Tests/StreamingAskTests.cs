using RagService.Api.Tests;
using RagService.Client.Errors;
using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>AskStreamAsync and the LLM's failures as the client sees them, with the local OpenAI-compatible endpoint.</summary>
public sealed class StreamingAskTests
{
    [Fact]
    public async Task Streaming_ask_yields_the_tokens_then_the_result_with_its_sources()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = "芝士多多披萨 最便宜 [1]";
        await using var f = await ClientFixture.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");

        var updates = new List<AskStreamUpdate>();
        await foreach (var update in f.Client.AskStreamAsync("demo", "最便宜的披萨是什么？"))
        {
            updates.Add(update);
        }

        Assert.Equal(["芝士多多披萨 ", "最便宜 ", "[1] "], updates.SkipLast(1).Select(u => u.Token));
        var result = updates[^1].Result!;
        Assert.True(updates[^1].IsFinal);
        Assert.Equal("芝士多多披萨 最便宜 [1] ", result.Answer);
        Assert.Contains(result.Sources, s => s.Text.Contains("芝士多多披萨", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Llm_failures_are_typed_exceptions_in_both_modes()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.FailWithStatus = 503;
        await using var f = await ClientFixture.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");

        var failed = await Assert.ThrowsAsync<RagServiceLlmException>(() => f.Client.AskAsync("demo", "会员送什么？"));
        Assert.False(failed.TimedOut);
        Assert.Contains("HTTP 503", failed.Detail);
        await Assert.ThrowsAsync<RagServiceLlmException>(async () =>
        {
            await foreach (var _ in f.Client.AskStreamAsync("demo", "会员送什么？"))
            {
            }
        });
    }

    [Fact]
    public async Task A_stalled_stream_ends_in_a_timeout_exception_after_the_first_token()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = "会员 送 可乐";
        llm.StallAfterFirstToken = true;
        await using var f = await ClientFixture.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:StreamIdleTimeout=00:00:01");

        var tokens = new List<string?>();
        var e = await Assert.ThrowsAsync<RagServiceLlmException>(async () =>
        {
            await foreach (var update in f.Client.AskStreamAsync("demo", "会员送什么？"))
            {
                tokens.Add(update.Token);
            }
        });
        Assert.Equal(["会员 "], tokens);
        Assert.True(e.TimedOut);
    }

    [Fact]
    public async Task Cancelling_a_streamed_ask_cancels_the_llm_call()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = "会员 送 可乐";
        llm.StallAfterFirstToken = true; // the answer never ends on its own
        await using var f = await ClientFixture.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}");

        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in f.Client.AskStreamAsync("demo", "会员送什么？", ct: cts.Token))
            {
                await cts.CancelAsync(); // after the first token
            }
        });
        await llm.CallerDisconnected.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
