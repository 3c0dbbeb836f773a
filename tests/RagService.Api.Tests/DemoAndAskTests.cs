using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

public class DemoAndAskTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await ServiceHost.StartAsync("--Rag:Demo=true");

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> AskAsync(ServiceHost host, string question, int topK = 5)
    {
        var response = await host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question, topK });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [SkippableFact]
    public async Task Cheapest_pizza_question_retrieves_the_menu_and_the_promotion()
    {
        var ask = await AskAsync(_host, "你们现在最便宜的披萨是什么？有没有什么优惠？");
        var sources = ServiceHost.HitTexts(ask, "sources");
        Assert.Contains(sources, t => t.Contains("芝士多多披萨：26元", StringComparison.Ordinal));
        Assert.Contains(sources, t => t.Contains("所有披萨外卖立减5元", StringComparison.Ordinal));

        Assert.Equal(JsonValueKind.Null, ask.GetProperty("answer").ValueKind);
        Assert.Equal("not configured", ask.GetProperty("llm").GetString());
        var prompt = ask.GetProperty("prompt").GetProperty("user").GetString()!;
        Assert.Contains("<source id=\"1\"", prompt);
        Assert.Contains("Question: 你们现在最便宜的披萨是什么？", prompt);
        Assert.Contains("cite", ask.GetProperty("prompt").GetProperty("system").GetString()!, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task Off_topic_question_without_a_reranker_answers_not_found_without_calling_the_llm()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        await using var host = await ServiceHost.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");

        var ask = await AskAsync(host, "你们有没有寿司？");
        Assert.Equal("根据现有资料，无法回答这个问题。", ask.GetProperty("answer").GetString());
        Assert.Equal("skipped", ask.GetProperty("llm").GetString());
        var floor = ask.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "floor");
        Assert.Equal("not found", floor.GetProperty("status").GetString());
        Assert.Empty(llm.Requests);

        var onTopic = await AskAsync(host, "你们现在最便宜的披萨是什么？");
        Assert.Equal("ok", onTopic.GetProperty("llm").GetString());
    }

    [SkippableFact]
    public async Task Responses_report_the_mode_that_ran_beside_the_requested_one()
    {
        var search = await _host.SearchAsync("demo", "XYZ-123");
        Assert.Equal("bm25", search.GetProperty("mode").GetString());
        Assert.Equal("hybrid", search.GetProperty("requestedMode").GetString());

        var ask = await AskAsync(_host, "会员送什么？");
        Assert.Equal("bm25", ask.GetProperty("mode").GetString());
        Assert.Equal("hybrid", ask.GetProperty("requestedMode").GetString());
    }

    [SkippableFact]
    public async Task Membership_question_retrieves_the_membership_chunk_first()
    {
        var ask = await AskAsync(_host, "加入会员送的饮料是什么？");
        Assert.Contains("扫码加入会员，免费送可乐一杯", ServiceHost.HitTexts(ask, "sources")[0]);
    }

    [SkippableFact]
    public async Task Error_code_query_ranks_the_error_code_chunk_first()
    {
        var search = await _host.SearchAsync("demo", "XYZ-123");
        var top = search.GetProperty("hits")[0];
        Assert.Contains("错误代码XYZ-123表示温度传感器读数异常", top.GetProperty("text").GetString());
        Assert.Contains("错误代码XYZ-123", top.GetProperty("headingPath").EnumerateArray().Select(e => e.GetString()));
    }

    [SkippableFact]
    public async Task Ask_calls_the_configured_llm_with_the_augmented_prompt()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        await using var host = await ServiceHost.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:Model=test-model", "--Llm:MaxRetries=0");

        var ask = await AskAsync(host, "你们现在最便宜的披萨是什么？");
        Assert.Equal("最便宜的是芝士多多披萨，26元 [1]。", ask.GetProperty("answer").GetString());
        Assert.Equal("ok", ask.GetProperty("llm").GetString());

        Assert.True(llm.Requests.TryDequeue(out var request));
        Assert.Equal("test-model", request.GetProperty("model").GetString());
        var messages = request.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Contains("芝士多多披萨", messages[1].GetProperty("content").GetRawText());
    }

    [SkippableFact]
    public async Task Llm_failure_is_a_502_problem_while_search_still_works()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.FailWithStatus = 500;
        await using var host = await ServiceHost.StartAsync("--Rag:Demo=true", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=1");

        var response = await host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question = "会员送什么？" });
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("500", problem.GetProperty("detail").GetString());
        Assert.Equal(2, llm.Requests.Count); // one retry

        Assert.NotEmpty((await host.SearchAsync("demo", "会员送什么？")).GetProperty("hits").EnumerateArray());
    }
}
