using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Models;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Sync;

/// <summary>Syncing a folder, then a changed folder: exactly the expected adds, updates and deletes, and no embedding work for unchanged documents.</summary>
public class FolderSyncTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Version1 = new()
    {
        ["menu.md"] = "# Menu\n\nMargherita pizza costs 42 yuan. Marker alphaquartz.",
        ["promotions.md"] = "# Promotions\n\nTuesday: second pizza half price. Marker betaquartz.",
        ["old-notice.txt"] = "The shop closes early on Friday. Marker gammaquartz.",
        ["guides/oven.md"] = "# Oven guide\n\nError QX-77 means the fan is blocked. Marker deltaquartz.",
    };

    /// <summary>promotions.md edited, old-notice.txt removed, hours.md added, the rest unchanged.</summary>
    private static readonly Dictionary<string, string> Version2 = new()
    {
        ["menu.md"] = Version1["menu.md"],
        ["promotions.md"] = "# Promotions\n\nThursday: free drink with every pizza. Marker epsilonquartz.",
        ["guides/oven.md"] = Version1["guides/oven.md"],
        ["hours.md"] = "# Opening hours\n\nMonday to Sunday 10:00-22:00. Marker zetaquartz.",
    };

    private readonly CountingEmbedder _embedder = new();
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ITextEmbedder>(_embedder));
        await _host.CreateCollectionAsync("handbook");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [SkippableFact]
    public async Task Changed_folder_with_prune_adds_updates_and_deletes_exactly_and_embeds_only_changed_documents()
    {
        var first = await SyncAsync(TestArchives.Zip(Version1), prune: true);
        Assert.Equal("succeeded", first.GetProperty("state").GetString());
        Assert.Equal(Version1.Keys.Order(StringComparer.Ordinal), Paths(first, "added"));
        Assert.Equal(["alphaquartz", "betaquartz", "deltaquartz", "gammaquartz"], EmbeddedMarkers(_embedder));
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/handbook");
        Assert.Equal(4, stats.GetProperty("documents").GetInt32());
        Assert.Equal(stats.GetProperty("chunks").GetInt32(), stats.GetProperty("bm25").GetProperty("entries").GetInt32());
        Assert.Equal(stats.GetProperty("chunks").GetInt32(), stats.GetProperty("vectors").GetInt32());

        _embedder.Reset();
        var second = await SyncAsync(TestArchives.Zip(Version2), prune: true);

        Assert.Equal("succeeded", second.GetProperty("state").GetString());
        Assert.Equal(["hours.md"], Paths(second, "added"));
        Assert.Equal(["promotions.md"], Paths(second, "updated"));
        Assert.Equal(["guides/oven.md", "menu.md"], Paths(second, "unchanged"));
        Assert.Equal(["old-notice.txt"], Paths(second, "deleted"));
        Assert.Empty(second.GetProperty("failed").EnumerateArray());

        // Each changed document's passage embedded once (a job embeds documents together), none of an unchanged one.
        Assert.Equal(["epsilonquartz", "zetaquartz"], EmbeddedMarkers(_embedder));

        var docs = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/handbook/documents");
        Assert.Equal(Version2.Keys.Order(StringComparer.Ordinal), docs.EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
        Assert.Empty(ServiceHost.HitTexts(await _host.SearchAsync("handbook", "gammaquartz", mode: "bm25")));
        Assert.Empty(ServiceHost.HitTexts(await _host.SearchAsync("handbook", "betaquartz", mode: "bm25")));
        Assert.Contains("Thursday", ServiceHost.HitTexts(await _host.SearchAsync("handbook", "epsilonquartz", mode: "bm25")).Single());

        var job = await GetJobAsync(_host.Client, second.GetProperty("id").GetString()!);
        Assert.Equal(second.GetProperty("counts").GetRawText(), job.GetProperty("counts").GetRawText());
    }

    [SkippableFact]
    public async Task Without_prune_documents_missing_from_the_folder_are_kept()
    {
        await SyncAsync(TestArchives.Zip(Version1), prune: false);
        var second = await SyncAsync(TestArchives.Zip(Version2), prune: false);
        Assert.Empty(second.GetProperty("deleted").EnumerateArray());
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/handbook");
        Assert.Equal(5, stats.GetProperty("documents").GetInt32());
    }

    [SkippableFact]
    public async Task Manifest_then_only_changed_files_gives_the_same_result_and_a_missing_file_fails_its_document()
    {
        await SyncAsync(TestArchives.Zip(Version1), prune: true);
        var manifest = Version2.Select(kv => new { path = kv.Key, sha256 = TestArchives.Sha256(kv.Value) }).ToList();

        var planResponse = await _host.Client.PostAsJsonAsync("/v1/collections/handbook/sync/plan", new { files = manifest, prune = true });
        var plan = await planResponse.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["hours.md", "promotions.md"], Paths(plan, "send"));
        Assert.Equal(["old-notice.txt"], Paths(plan, "deleted"));
        Assert.Equal(2, plan.GetProperty("unchanged").GetInt32());

        // Send only what the plan asked for, plus a path listed by hash that the server does not have.
        var withMissing = manifest.Append(new { path = "never-sent.md", sha256 = TestArchives.Sha256("not sent") }).ToList();
        _embedder.Reset();
        var body = TestArchives.Zip(zip =>
        {
            TestArchives.AddZipEntry(zip, ".rag-sync-manifest.json", JsonSerializer.SerializeToUtf8Bytes(new { files = withMissing }));
            foreach (var path in new[] { "hours.md", "promotions.md" })
            {
                TestArchives.AddZipEntry(zip, path, Encoding.UTF8.GetBytes(Version2[path]));
            }
        });
        var result = await SyncAsync(body, prune: true);

        Assert.Equal("completed_with_errors", result.GetProperty("state").GetString());
        Assert.Equal(["hours.md"], Paths(result, "added"));
        Assert.Equal(["promotions.md"], Paths(result, "updated"));
        Assert.Equal(["guides/oven.md", "menu.md"], Paths(result, "unchanged"));
        Assert.Equal(["old-notice.txt"], Paths(result, "deleted"));
        var failed = result.GetProperty("failed").EnumerateArray().Single();
        Assert.Equal("never-sent.md", failed.GetProperty("path").GetString());
        Assert.Contains("send the file", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(["epsilonquartz", "zetaquartz"], EmbeddedMarkers(_embedder));
    }

    [SkippableFact]
    public async Task Idempotency_key_replays_the_first_job_and_refuses_a_different_request()
    {
        var body = TestArchives.Zip(Version1);
        var first = await PostAsync(body, "prune=true", "ci-run-41");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var firstJob = await first.Content.ReadFromJsonAsync<JsonElement>();
        _embedder.Reset();

        var replay = await PostAsync(body, "prune=true", "ci-run-41");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(firstJob.GetProperty("id").GetString(), (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        Assert.Empty(_embedder.Calls);

        var different = await PostAsync(TestArchives.Zip(Version2), "prune=true", "ci-run-41");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);
        Assert.Contains("Idempotency-Key", (await different.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/handbook");
        Assert.Equal(4, stats.GetProperty("documents").GetInt32());
    }

    [SkippableFact]
    public async Task Tar_gz_folder_is_synced_like_a_zip()
    {
        var body = TestArchives.TarGz(tar =>
        {
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.Directory, "./guides/"));
            foreach (var (path, text) in Version1)
            {
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "./" + path)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
                });
            }
        });
        var result = await SyncAsync(body, prune: false, "application/gzip");
        Assert.Equal(Version1.Keys.Order(StringComparer.Ordinal), Paths(result, "added"));
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string query, string? idempotencyKey = null, string mediaType = "application/zip")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/collections/handbook/sync?{query}") { Content = TestArchives.Body(body, mediaType) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await _host.Client.SendAsync(request);
    }

    [SkippableFact]
    public async Task Unchanged_files_are_reindexed_after_the_embedding_model_changes()
    {
        Assert.Equal(4, Paths(await SyncAsync(TestArchives.Zip(Version1), prune: true), "added").Length);

        // The same database served with another embedding model: no file changed, but every document must be re-embedded.
        await _host.StopAsync();
        var other = new CountingEmbedder("another-model");
        await using (var restarted = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ITextEmbedder>(other), $"--Rag:DatabasePath={_host.DatabasePath}"))
        {
            using var content = new ByteArrayContent(TestArchives.Zip(Version1));
            content.Headers.ContentType = new("application/zip");
            var response = await restarted.Client.PostAsync("/v1/collections/handbook/sync?prune=true", content);
            var result = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Version1.Keys.Order(StringComparer.Ordinal), Paths(result, "updated"));
            Assert.Equal(["alphaquartz", "betaquartz", "deltaquartz", "gammaquartz"], EmbeddedMarkers(other));
        }
    }

    /// <summary>The marker word of each passage embedded (every test document is one chunk with one marker), sorted.</summary>
    private static string[] EmbeddedMarkers(CountingEmbedder embedder) =>
        embedder.Texts.Select(t => System.Text.RegularExpressions.Regex.Match(t, @"[a-z]+quartz").Value).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Small syncs answer in the request; should one be queued, wait for its job.</summary>
    private async Task<JsonElement> SyncAsync(byte[] body, bool prune, string mediaType = "application/zip")
    {
        var response = await PostAsync(body, prune ? "prune=true" : "prune=false", mediaType: mediaType);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, json.ToString());
        return response.StatusCode == HttpStatusCode.OK ? json : await WaitAsync(_host.Client, json.GetProperty("id").GetString()!);
    }
}
