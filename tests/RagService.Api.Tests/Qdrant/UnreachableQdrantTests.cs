using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using RagService.Api.Tests.Sync;

namespace RagService.Api.Tests.Qdrant;

/// <summary>
/// The service configured for Qdrant at a URL where nothing listens (a loopback port just closed), over real HTTP
/// with the real ONNX test embedder: it starts, says dense is failed, keeps answering from BM25, and refuses
/// writes whole with a reason that names Qdrant.
/// </summary>
public sealed class UnreachableQdrantTests
{
    private static string ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    private static Task<ServiceHost> StartAsync(string? database = null)
    {
        var args = new List<string>(TestModelDirectories.ServiceArguments())
        {
            "--Rag:VectorStore=qdrant", $"--Rag:Qdrant:Url={ClosedPort()}", "--Rag:Qdrant:MaxRetries=1", "--Rag:Qdrant:RetryBaseDelay=00:00:00.010",
        };
        if (database is not null)
        {
            args.Add($"--Rag:DatabasePath={database}");
        }

        return ServiceHost.StartAsync([.. args]);
    }

    [Fact]
    public async Task The_service_starts_reports_dense_failed_answers_from_bm25_and_refuses_writes_whole()
    {
        await using var embedded = await StoppedEmbeddedHost.WithOvenDocumentAsync();

        await using var host = await StartAsync(embedded.DatabasePath);

        // Qdrant is shared by every replica: its outage degrades the service (200), it does not take it out of rotation.
        var ready = await host.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var readiness = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("degraded", readiness.GetProperty("status").GetString());
        var components = readiness.GetProperty("components").EnumerateArray().ToList();
        var vectors = Assert.Single(components, c => c.GetProperty("name").GetString() == "vectors");
        Assert.Equal("failed", vectors.GetProperty("state").GetString());
        Assert.Contains("Qdrant", vectors.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var bm25 = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "oven degrees", mode = "bm25" });
        Assert.True(bm25.StatusCode == HttpStatusCode.OK, $"{(int)bm25.StatusCode} {await bm25.Content.ReadAsStringAsync()}");
        Assert.Contains("450 degrees", ServiceHost.HitTexts(await bm25.Content.ReadFromJsonAsync<JsonElement>())[0], StringComparison.Ordinal);

        var hybrid = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "oven degrees", mode = "hybrid" });
        Assert.True(hybrid.StatusCode == HttpStatusCode.OK, $"{(int)hybrid.StatusCode} {await hybrid.Content.ReadAsStringAsync()}");
        var result = await hybrid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("450 degrees", ServiceHost.HitTexts(result)[0], StringComparison.Ordinal);
        var dense = result.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "dense");
        Assert.Equal("failed", dense.GetProperty("status").GetString());
        Assert.Contains("Qdrant", dense.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The collection's description still answers, its vector stats saying why they are missing.
        var described = await host.Client.GetAsync("/v1/collections/kb");
        var description = await described.Content.ReadAsStringAsync();
        Assert.True(described.StatusCode == HttpStatusCode.OK, $"{(int)described.StatusCode} {description}");
        Assert.Contains("unavailable", description, StringComparison.Ordinal);

        // A direct write is refused with a problem that names Qdrant, and leaves nothing behind.
        var write = await host.Client.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "fridge", text = "The fridge keeps 4 degrees." });
        var problem = await write.Content.ReadAsStringAsync();
        Assert.True(write.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)write.StatusCode} {problem}");
        Assert.Contains("Qdrant", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/collections/kb/documents/fridge")).StatusCode);
        var fridge = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "fridge", mode = "bm25" });
        Assert.Empty(ServiceHost.HitTexts(await fridge.Content.ReadFromJsonAsync<JsonElement>()));

        // A sync job stops failed at the first document, with the reason, and writes none of them.
        using var content = TestArchives.Body(TestArchives.Zip(new Dictionary<string, string> { ["a.md"] = "# A\nThe kettle boils.", ["b.md"] = "# B\nThe toaster browns." }), "application/zip");
        var sync = await host.Client.PostAsync("/v1/collections/kb/sync", content);
        var syncBody = await sync.Content.ReadFromJsonAsync<JsonElement>();
        var job = sync.StatusCode == HttpStatusCode.Accepted ? await JobPolling.WaitAsync(host.Client, syncBody.GetProperty("id").GetString()!) : syncBody;
        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains("Qdrant", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, job.GetProperty("counts").GetProperty("added").GetInt32());
        var documents = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents");
        Assert.DoesNotContain("a.md", documents.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("b.md", documents.ToString(), StringComparison.Ordinal);
        Assert.Contains("oven", documents.ToString(), StringComparison.Ordinal);
        await host.DisposeAsync();
        await embedded.DisposeAsync();
    }
}
