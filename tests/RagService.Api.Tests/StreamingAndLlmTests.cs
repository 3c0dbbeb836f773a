using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>ask with an LLM: streaming, caller disconnects, timeouts and the relevance floor, against a local OpenAI-compatible endpoint.</summary>
public sealed class StreamingAndLlmTests
{
    internal static async Task<List<(string Event, JsonElement Data)>> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<(string, JsonElement)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((name!, JsonSerializer.Deserialize<JsonElement>(line["data: ".Length..])));
            }
        }

        return events;
    }

    [Fact]
    public async Task Streaming_delivers_tokens_then_the_sources()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = "芝士多多披萨 最便宜 [1]";
        await using var host = await ServiceHost.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/demo/ask")
        {
            Content = JsonContent.Create(new { question = "最便宜的披萨是什么？", stream = true }),
        };
        using var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ReadEventsAsync(response);

        var tokens = events.TakeWhile(e => e.Event == "token").Select(e => e.Data.GetProperty("text").GetString()).ToList();
        Assert.Equal(3, tokens.Count);
        Assert.Equal(tokens.Count + 1, events.Count); // exactly one event after the tokens
        var done = events[^1];
        Assert.Equal("done", done.Event);
        Assert.Equal(string.Concat(tokens), done.Data.GetProperty("answer").GetString());
        Assert.Contains(done.Data.GetProperty("sources").EnumerateArray(), s => s.GetProperty("text").GetString()!.Contains("芝士多多披萨", StringComparison.Ordinal));
        Assert.Contains(done.Data.GetProperty("stages").EnumerateArray(), s => s.GetProperty("stage").GetString() == "llm" && s.GetProperty("status").GetString() == "ok");
    }

    [Fact]
    public async Task A_caller_that_disconnects_cancels_the_llm_call()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = string.Join(' ', Enumerable.Repeat("慢", 50));
        llm.Delay = TimeSpan.FromMilliseconds(200);
        await using var host = await ServiceHost.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/demo/ask") { Content = JsonContent.Create(new { question = "会员送什么？", stream = true }) })
        using (var response = await host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("event: token", await reader.ReadLineAsync());
        } // the caller goes away after the first token

        // The whole reply would take 10 s; the LLM sees its caller (our service) disconnect long before.
        var finished = await Task.WhenAny(llm.CallerDisconnected.Task, Task.Delay(TimeSpan.FromSeconds(8)));
        Assert.Same(llm.CallerDisconnected.Task, finished);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_500_then_a_200_is_retried_and_answers(bool stream)
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = "会员送可乐 [1]";
        llm.FailNext.Enqueue(500);
        llm.FailNext.Enqueue(429);
        await using var host = await ServiceHost.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=2", "--Llm:RetryDelay=00:00:00.010");

        var response = await host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question = "会员送什么？", stream });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("会员送可乐", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, llm.Requests.Count);
    }

    [Fact]
    public async Task An_llm_timeout_is_a_504_problem()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Delay = TimeSpan.FromSeconds(10);
        await using var host = await ServiceHost.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0", "--Llm:AttemptTimeout=00:00:01");

        var response = await host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question = "会员送什么？" });
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("did not answer within 1 s", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Below_the_relevance_floor_the_answer_is_not_found_and_the_llm_is_not_called()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        await using var host = await ServiceHost.StartAsync([
            .. TestModelDirectories.ServiceArguments(), "--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Rag:Retrieval:RelevanceFloor=1000000"]);

        var response = await host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question = "会员送什么饮料？" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var ask = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("根据现有资料，无法回答这个问题。", ask.GetProperty("answer").GetString());
        Assert.Equal("skipped", ask.GetProperty("llm").GetString());
        Assert.NotEmpty(ask.GetProperty("sources").EnumerateArray());
        Assert.Empty(llm.Requests);
    }

    [Fact]
    public async Task Llm_written_chunk_context_is_indexed_with_the_chunk_and_cached()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = "这段讲的是烤箱的保修政策。";
        await using var host = await ServiceHost.StartAsync($"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");
        await host.CreateCollectionAsync("ctx", new { name = "ctx", llmContext = true, contextualHeaders = false });
        var document = new { id = "warranty", text = "本产品自购买之日起三年内免费维修。" };
        await host.IngestAsync("ctx", document);

        Assert.True(llm.Requests.TryDequeue(out var request));
        var prompt = request.GetProperty("messages")[1].GetProperty("content").GetRawText();
        Assert.Contains("<passage>", prompt);
        Assert.Contains("三年内免费维修", prompt);

        // "保修政策" appears only in the generated context, which is indexed with the chunk.
        var hit = (await host.SearchAsync("ctx", "保修政策", mode: "bm25")).GetProperty("hits")[0];
        Assert.Equal("warranty", hit.GetProperty("documentId").GetString());
        Assert.DoesNotContain("保修政策", hit.GetProperty("text").GetString());

        // Re-indexing the same content is served from the cache: no second LLM call.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/v1/collections/ctx/documents/warranty")).StatusCode);
        await host.IngestAsync("ctx", document);
        Assert.Empty(llm.Requests);
        Assert.Single((await host.SearchAsync("ctx", "保修政策", mode: "bm25")).GetProperty("hits").EnumerateArray());
    }

    [Fact]
    public async Task Llm_context_without_an_llm_is_refused()
    {
        await using var host = await ServiceHost.StartAsync();
        var response = await host.Client.PostAsJsonAsync("/v1/collections", new { name = "ctx", llmContext = true });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("RAG_LLM_URL", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }
}
