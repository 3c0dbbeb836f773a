using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Tests.Qdrant;
using RagService.Core.Resilience;
using RagService.Tests.Clocks;

namespace RagService.Api.Tests.Resilience;

/// <summary>
/// The circuit breakers over real HTTP, against a fake Qdrant gRPC server and the fake LLM endpoint the test gates:
/// after N failed attempts the next request fails fast (no call reaches the server, no retry delay is set on the
/// service's clock, a fake one the test moves), readiness and /metrics report the open circuit, and after the break a
/// trial call closes it once the server is back.
/// </summary>
public sealed class CircuitBreakerTests
{
    private static Task<ServiceHost> StartAsync(TimerGateClock clock, params string[] settings) =>
        ServiceHost.StartAsync(b => b.Services.AddKeyedSingleton<TimeProvider>(DependencyCircuit.ClockKey, clock), settings);

    private static async Task<JsonElement> ComponentAsync(ServiceHost host, string name)
    {
        var ready = await host.Client.GetFromJsonAsync<JsonElement>("/health/ready");
        return ready.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
    }

    private static async Task<int> CircuitGaugeAsync(ServiceHost host, string dependency, string endpoint)
    {
        var metrics = await host.Client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').Single(l => l.StartsWith("rag_circuit_state{", StringComparison.Ordinal)
            && l.Contains($"dependency=\"{dependency}\"", StringComparison.Ordinal) && l.Contains($"endpoint=\"{endpoint}\"", StringComparison.Ordinal));
        return int.Parse(Regex.Match(line, @"\} (\d+)").Groups[1].Value);
    }

    private static async Task<JsonElement> HybridSearchAsync(ServiceHost host)
    {
        var response = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "oven degrees", mode = "hybrid" });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement Stage(JsonElement search, string name) =>
        search.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == name);

    [Fact]
    public async Task Qdrant_down_opens_the_circuit_then_hybrid_search_answers_bm25_only_without_calling_and_recovers_after_the_break()
    {
        await using var embedded = await StoppedEmbeddedHost.WithOvenDocumentAsync();

        await using var qdrant = await FakeQdrantServer.StartAsync();
        var clock = new TimerGateClock();
        await using var host = await StartAsync(clock, [.. TestModelDirectories.ServiceArguments(),
            "--Rag:VectorStore=qdrant", $"--Rag:Qdrant:Url={qdrant.Url}", $"--Rag:DatabasePath={embedded.DatabasePath}",
            "--Rag:Qdrant:MaxRetries=1", "--Rag:Qdrant:RetryBaseDelay=00:00:01",
            "--Rag:Qdrant:Breaker:MinimumThroughput=2", "--Rag:Qdrant:Breaker:BreakDuration=00:00:30"]);
        Assert.Equal(0, qdrant.Calls);

        // The first hybrid search: one attempt, a retry after its delay, both UNAVAILABLE: 2 of 2 failed opens the circuit.
        var first = HybridSearchAsync(host);
        await clock.AdvancePastNextTimerAsync();
        var failed = await first;
        Assert.Equal(2, qdrant.Calls);
        Assert.Equal("failed", Stage(failed, "dense").GetProperty("status").GetString());

        // Open: the next search answers from BM25 with no call to Qdrant and no retry delay set.
        var timers = clock.TimersSet;
        var open = await HybridSearchAsync(host);
        Assert.Equal(2, qdrant.Calls);
        Assert.Equal(timers, clock.TimersSet);
        Assert.Contains("450 degrees", ServiceHost.HitTexts(open)[0], StringComparison.Ordinal);
        var dense = Stage(open, "dense");
        Assert.Equal("failed", dense.GetProperty("status").GetString());
        Assert.Contains("circuit open", dense.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Readiness and the metrics report the open circuit, still without a call.
        var vectors = await ComponentAsync(host, "vectors");
        Assert.Equal("failed", vectors.GetProperty("state").GetString());
        Assert.Contains("circuit open after repeated failures, next try in 30 s", vectors.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await CircuitGaugeAsync(host, "qdrant", qdrant.Authority));
        Assert.Equal(2, qdrant.Calls);

        // The server comes back; once the break is over, the next search is the trial call and closes the circuit.
        qdrant.Down = false;
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Contains("circuit open", Stage(await HybridSearchAsync(host), "dense").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, qdrant.Calls);
        clock.Advance(TimeSpan.FromSeconds(1));
        var recovered = await HybridSearchAsync(host);
        Assert.Equal("ok", Stage(recovered, "dense").GetProperty("status").GetString());
        Assert.Equal(3, qdrant.Calls);
        Assert.Contains("450 degrees", ServiceHost.HitTexts(recovered)[0], StringComparison.Ordinal);
        Assert.Equal("on", (await ComponentAsync(host, "vectors")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Llm_failing_opens_the_circuit_then_ask_is_a_502_without_calling_and_recovers_after_the_break()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.FailWithStatus = 503;
        var clock = new TimerGateClock();
        await using var host = await StartAsync(clock, "--Rag:Demo=true", $"--Llm:Url={llm.Url}",
            "--Llm:MaxRetries=1", "--Llm:RetryDelay=00:00:01", "--Llm:Breaker:MinimumThroughput=2", "--Llm:Breaker:BreakDuration=00:00:30");
        Task<HttpResponseMessage> Ask() => host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question = "会员送什么？" });

        // One attempt, a retry after its delay, both 503: the ask is a 502 and the circuit opens.
        var first = Ask();
        await clock.AdvancePastNextTimerAsync();
        Assert.Equal(HttpStatusCode.BadGateway, (await first).StatusCode);
        Assert.Equal(2, llm.Requests.Count);

        // Open: 502 at once, the endpoint not called, no retry delay set.
        var timers = clock.TimersSet;
        foreach (var stream in new[] { false, true })
        {
            var open = await host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question = "会员送什么？", stream });
            Assert.Equal(HttpStatusCode.BadGateway, open.StatusCode);
            var detail = (await open.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
            Assert.Contains("circuit open after repeated failures", detail, StringComparison.Ordinal);
        }

        Assert.Equal(2, llm.Requests.Count);
        Assert.Equal(timers, clock.TimersSet);
        var component = await ComponentAsync(host, "llm");
        Assert.Equal("failed", component.GetProperty("state").GetString());
        Assert.Contains("circuit open", component.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await CircuitGaugeAsync(host, "llm", new Uri(llm.Url).Authority));

        // Back, and the break over: the trial call answers and closes the circuit.
        llm.FailWithStatus = 0;
        clock.Advance(TimeSpan.FromSeconds(30));
        var recovered = await Ask();
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(llm.Reply, (await recovered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("answer").GetString());
        Assert.Equal(3, llm.Requests.Count);
    }
}
