using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Auth;

/// <summary>What anonymous callers may learn from health, who may scrape metrics, and when Swagger is served.</summary>
public sealed class HealthMetricsAndSwaggerTests
{
    [Fact]
    public async Task Anonymous_readiness_is_the_status_only_a_reader_sees_states_and_an_admin_sees_details()
    {
        // A reachable model endpoint: readiness probes the LLM for real, and an unreachable one would make it "degraded".
        await using var llm = await FakeLlmServer.StartAsync();
        await using var host = await ServiceHost.StartAsync($"--Llm:Url={llm.Url}", "--Llm:Model=private-model-7b");
        using var anonymous = host.CreateClient(null);
        var response = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["status"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ready", body.GetProperty("status").GetString());
        foreach (var secret in new[] { "127.0.0.1", "http", "private-model", host.Directory, "rag.db", "/" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        var reader = await Keys.CreateAsync(host.Client, "probe", "reader");
        using var readerClient = host.CreateClient(reader.Key);
        var states = await readerClient.GetStringAsync("/health/ready");
        Assert.Contains("\"llm\"", states, StringComparison.Ordinal);
        Assert.DoesNotContain("private-model", states, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Directory, states, StringComparison.Ordinal);

        var details = await host.Client.GetStringAsync("/health/ready");
        Assert.Contains("private-model-7b", details, StringComparison.Ordinal);
        Assert.Contains("rag.db", details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_metrics_are_for_admins_and_name_request_stage_and_ingestion_metrics_after_a_search()
    {
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "menu", text = "Margherita costs 42 yuan." });
        await host.SearchAsync("kb", "margherita");

        using var anonymous = host.CreateClient(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        var reader = await Keys.CreateAsync(host.Client, "scraper", "reader");
        using var readerClient = host.CreateClient(reader.Key);
        Assert.Equal(HttpStatusCode.Forbidden, (await readerClient.GetAsync("/metrics")).StatusCode);

        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("http_server_request_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("rag_stage_duration_milliseconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("stage=\"bm25\"", metrics, StringComparison.Ordinal);
        Assert.Contains("rag_ingest_documents_total", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"created\"", metrics, StringComparison.Ordinal);
        Assert.Contains("rag_ingest_bytes_total", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swagger_is_off_in_production_unless_enabled_and_has_the_api_key_button_when_on()
    {
        await using (var off = await ServiceHost.StartAsync("--Rag:Swagger:Enabled=false"))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await off.Client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
        }

        await using var on = await ServiceHost.StartAsync();
        using var anonymous = on.CreateClient(null);
        var swagger = await anonymous.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var scheme = swagger.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
    }
}
