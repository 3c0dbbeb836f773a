using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using RagService.Api.Security;

namespace RagService.Api.Tests.Auth;

/// <summary>What operators see: the request log line, the start-up warnings about keys, and the spans of a search.</summary>
public sealed class LoggingAndTracingTests
{
    [Fact]
    public async Task Each_request_logs_one_line_with_the_key_id_collection_stages_and_status_never_the_key()
    {
        var log = Path.Combine(Path.GetTempPath(), "ragsvc-log-" + Guid.NewGuid().ToString("N")[..12] + ".txt");
        try
        {
            Keys.Created reader;
            await using (var host = await ServiceHost.StartAsync(LogTo(log, "Information")))
            {
                await host.CreateCollectionAsync("kb");
                await host.IngestAsync("kb", new { id = "menu", text = "Margherita costs 42 yuan." });
                reader = await Keys.CreateAsync(host.Client, "chatbot", "reader");
                using var client = host.CreateClient(reader.Key);
                var search = await client.PostAsync("/v1/collections/kb/search", System.Net.Http.Json.JsonContent.Create(new { query = "margherita" }));
                Assert.Equal(HttpStatusCode.OK, search.StatusCode);
                using var anonymous = host.CreateClient(null);
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/collections/kb")).StatusCode);
            }

            var lines = await File.ReadAllLinesAsync(log);
            var searchLine = Assert.Single(lines, l => l.Contains("HTTP POST /v1/collections/kb/search", StringComparison.Ordinal));
            Assert.Contains("-> 200", searchLine, StringComparison.Ordinal);
            Assert.Contains($"key={reader.Id}", searchLine, StringComparison.Ordinal);
            Assert.Contains("collection=kb", searchLine, StringComparison.Ordinal);
            Assert.Contains("bm25=", searchLine, StringComparison.Ordinal);
            var refused = Assert.Single(lines, l => l.Contains("HTTP GET /v1/collections/kb ", StringComparison.Ordinal) && l.Contains("-> 401", StringComparison.Ordinal));
            Assert.Contains("key=-", refused, StringComparison.Ordinal);
            Assert.DoesNotContain(lines, l => l.Contains(reader.Key, StringComparison.Ordinal) || l.Contains(ServiceHost.BootstrapKey, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public async Task A_bad_key_is_logged_once_per_request()
    {
        var lines = await LogOfAsync([], async host =>
        {
            using var client = host.CreateClient("not-a-key-of-this-service");
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/collections")).StatusCode);
        });

        Assert.Single(lines, l => l.Contains("was not authenticated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_collection_s_empty_lucene_index_is_information_not_a_warning()
    {
        var lines = await LogOfAsync(["--Rag:Demo=true", "--Rag:Bm25Engine=lucene"], async host =>
        {
            await host.CreateCollectionAsync("kb");
            await host.IngestAsync("kb", new { id = "menu", text = "Margherita costs 42 yuan." });
            await host.SearchAsync("demo", "披萨");
        });

        Assert.DoesNotContain(lines, l => l.Contains("Lucene index", StringComparison.Ordinal) && l.Contains("[WRN]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("[INF] Lucene index of collection demo does not exist yet; creating it", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("[INF] Lucene index of collection kb does not exist yet; creating it", StringComparison.Ordinal));
    }

    /// <summary>The service's log lines at Information while <paramref name="act"/> runs against it.</summary>
    private static async Task<string[]> LogOfAsync(string[] settings, Func<ServiceHost, Task> act)
    {
        var log = Path.Combine(Path.GetTempPath(), "ragsvc-log-" + Guid.NewGuid().ToString("N")[..12] + ".txt");
        try
        {
            await using (var host = await ServiceHost.StartAsync([.. LogTo(log, "Information"), .. settings]))
            {
                await act(host);
            }

            return await File.ReadAllLinesAsync(log);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public async Task Start_up_says_how_to_create_the_first_key_and_warns_about_mode_none()
    {
        var log = Path.Combine(Path.GetTempPath(), "ragsvc-log-" + Guid.NewGuid().ToString("N")[..12] + ".txt");
        try
        {
            await using (var host = await ServiceHost.StartAsync([.. LogTo(log, "Warning"), "--Rag:Auth:BootstrapKey="]))
            {
                using var anonymous = host.CreateClient(null);
                Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/ready")).StatusCode);
            }

            Assert.Contains("Rag:Auth:BootstrapKey", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
            File.Delete(log);
            await using (var host = await ServiceHost.StartAsync([.. LogTo(log, "Warning"), "--Rag:Auth:Mode=none"]))
            {
                using var anonymous = host.CreateClient(null);
                Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/v1/collections")).StatusCode);
            }

            Assert.Contains("Rag:Auth:Mode=none", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://10.1.2.3:8080", false)]
    public void Mode_none_warns_loudly_for_every_address_that_is_not_loopback(string address, bool loopback) =>
        Assert.Equal(loopback, AuthStartupReport.IsLoopback(address));

    [Fact]
    public async Task A_search_is_a_span_with_one_child_span_per_stage_that_ran()
    {
        var collection = "traced-" + Guid.NewGuid().ToString("N")[..8];
        var finished = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "RagService" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = finished.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync(collection);
        await host.IngestAsync(collection, new { id = "menu", text = "Margherita costs 42 yuan." });
        await host.SearchAsync(collection, "margherita");

        var search = Assert.Single(finished, a => a.OperationName == "rag.search" && (a.GetTagItem("rag.collection") as string) == collection);
        var stages = finished.Where(a => a.ParentSpanId == search.SpanId).ToList();
        Assert.Equal(["rag.bm25", "rag.fetch"], stages.Select(a => a.OperationName).Order(StringComparer.Ordinal));
        var bm25 = stages.Single(a => a.OperationName == "rag.bm25");
        var fetch = stages.Single(a => a.OperationName == "rag.fetch");
        Assert.True(fetch.StartTimeUtc >= bm25.StartTimeUtc + bm25.Duration, "fetch runs after bm25");
        Assert.True(search.StartTimeUtc <= bm25.StartTimeUtc, "stages lie inside the search span");
        var request = Assert.Single(finished, a => a.SpanId == search.ParentSpanId);
        Assert.Equal("Microsoft.AspNetCore", request.Source.Name);
    }

    [Fact]
    public async Task Traces_and_metrics_are_exported_over_otlp_when_an_endpoint_is_configured()
    {
        await using var collector = await FakeOtlpCollector.StartAsync();
        await using (var host = await ServiceHost.StartAsync($"--Rag:Telemetry:OtlpEndpoint={collector.Url}", "--Rag:Telemetry:OtlpProtocol=http/protobuf"))
        {
            await host.CreateCollectionAsync("kb");
            await host.IngestAsync("kb", new { id = "menu", text = "Margherita costs 42 yuan." });
            await host.SearchAsync("kb", "margherita");
        }

        // Stopping the service flushes both exporters; protobuf keeps names as UTF-8, so they can be found in the bytes.
        var traces = collector.Received.Where(r => r.Path == "/v1/traces").SelectMany(r => r.Body).ToArray();
        var metrics = collector.Received.Where(r => r.Path == "/v1/metrics").SelectMany(r => r.Body).ToArray();
        Assert.True(Contains(traces, "rag.search") && Contains(traces, "rag.bm25"), "no search spans were exported");
        Assert.True(Contains(metrics, "rag.stage.duration") && Contains(metrics, "http.server.request.duration"), "the metrics were not exported");
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(text)) >= 0;

    private static string[] LogTo(string path, string level) =>
    [
        $"--Serilog:MinimumLevel:Default={level}", "--Serilog:WriteTo:0:Name=File", $"--Serilog:WriteTo:0:Args:path={path}",
    ];
}
