using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Health;

/// <summary>
/// /health/ready over real HTTP: a required component down (Rag:Health:RequiredForReady; by default store, bm25 and
/// the embedded vectors) is 503 "unready"; only optional ones down (the LLM, Qdrant, a model) is 200 "degraded"
/// while the service keeps answering; all up is 200 "ready".
/// </summary>
public sealed class DegradedReadinessTests
{
    [Fact]
    public async Task An_llm_that_goes_down_degrades_readiness_to_200_degraded_and_search_keeps_answering()
    {
        var llm = await FakeLlmServer.StartAsync();
        await using var host = await ServiceHost.StartAsync($"--Llm:Url={llm.Url}", "--Llm:Model=test-model", "--Llm:ReadinessCacheTime=00:00:00");
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "oven", text = "The oven reaches 450 degrees in twenty minutes." });
        var (code, body) = await ReadyAsync(host);
        Assert.Equal((HttpStatusCode.OK, "ready"), (code, body.GetProperty("status").GetString()));

        await llm.DisposeAsync();
        (code, body) = await ReadyAsync(host);
        Assert.Equal((HttpStatusCode.OK, "degraded"), (code, body.GetProperty("status").GetString()));
        var component = Component(body, "llm");
        Assert.Equal("failed", component.GetProperty("state").GetString());
        Assert.False(component.GetProperty("required").GetBoolean());
        Assert.Contains("could not be reached", component.GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var required in new[] { "store", "bm25", "vectors" })
        {
            Assert.Equal("on", Component(body, required).GetProperty("state").GetString());
            Assert.True(Component(body, required).GetProperty("required").GetBoolean());
        }

        using var anonymous = host.CreateClient(null);
        var probe = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        Assert.Equal("{\"status\":\"degraded\"}", await probe.Content.ReadAsStringAsync());
        Assert.Contains("450 degrees", ServiceHost.HitTexts(await host.SearchAsync("kb", "oven degrees"))[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requiring_the_llm_makes_an_unreachable_one_503_unready()
    {
        var url = $"http://127.0.0.1:{LlmDefectTests.ClosedPort()}/v1";
        await using var host = await ServiceHost.StartAsync($"--Llm:Url={url}", "--Rag:Health:RequiredForReady=store,bm25,llm");
        var (code, body) = await ReadyAsync(host);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "unready"), (code, body.GetProperty("status").GetString()));
        Assert.True(Component(body, "llm").GetProperty("required").GetBoolean());
        Assert.Equal("failed", Component(body, "llm").GetProperty("state").GetString());
        Assert.False(Component(body, "vectors").GetProperty("required").GetBoolean());
    }

    [Fact]
    public async Task An_unknown_component_name_stops_the_start_naming_the_valid_ones()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceHost.StartAsync("--Rag:Health:RequiredForReady=store, lmm"));
        Assert.Equal("Rag:Health:RequiredForReady names 'lmm', which is not a component; valid: store, bm25, vectors, dense, rerank, llm, model-fit, replication", error.Message);
    }

    [Fact]
    public async Task Unreachable_qdrant_is_degraded_by_default_and_unready_when_vectors_are_required()
    {
        string[] qdrant = ["--Rag:VectorStore=qdrant", $"--Rag:Qdrant:Url=http://127.0.0.1:{LlmDefectTests.ClosedPort()}", "--Rag:Qdrant:MaxRetries=0"];
        await using (var host = await ServiceHost.StartAsync(qdrant))
        {
            var (code, body) = await ReadyAsync(host);
            Assert.Equal((HttpStatusCode.OK, "degraded"), (code, body.GetProperty("status").GetString()));
            Assert.Equal("failed", Component(body, "vectors").GetProperty("state").GetString());
            Assert.False(Component(body, "vectors").GetProperty("required").GetBoolean());
        }

        await using (var host = await ServiceHost.StartAsync([.. qdrant, "--Rag:Health:RequiredForReady=store,bm25,vectors"]))
        {
            var (code, body) = await ReadyAsync(host);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "unready"), (code, body.GetProperty("status").GetString()));
        }
    }

    private static async Task<(HttpStatusCode Code, JsonElement Body)> ReadyAsync(ServiceHost host)
    {
        var response = await host.Client.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static JsonElement Component(JsonElement ready, string name) =>
        ready.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);
}
