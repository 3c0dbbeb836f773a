using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

public class IngestAndSearchTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        await _host.CreateCollectionAsync("kb");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [SkippableFact]
    public async Task Markdown_document_is_chunked_with_heading_paths_and_found_by_search()
    {
        var result = await _host.IngestAsync("kb", new
        {
            id = "manual",
            title = "Oven manual",
            format = "markdown",
            text = "# Oven manual\n\n## Cleaning\n\nWipe the door with a damp cloth after every use.\n\n## Error codes\n\nCode QX-77 means the fan is blocked. Remove the obstruction and restart.\n",
            metadata = new Dictionary<string, string> { ["lang"] = "en" },
        });
        Assert.Equal("created", result.GetProperty("status").GetString());
        Assert.True(result.GetProperty("chunks").GetInt32() >= 2);

        var search = await _host.SearchAsync("kb", "what does QX-77 mean");
        var top = search.GetProperty("hits")[0];
        Assert.Contains("QX-77", top.GetProperty("text").GetString());
        Assert.Equal("manual", top.GetProperty("documentId").GetString());
        Assert.Equal("Oven manual", top.GetProperty("title").GetString());
        Assert.Equal(["Oven manual", "Error codes"], top.GetProperty("headingPath").EnumerateArray().Select(e => e.GetString()!).ToArray());
        var stages = search.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal("ok", stages["bm25"]);
        Assert.Equal("off", stages["dense"]);
        Assert.Equal("off", stages["rerank"]);
    }

    [SkippableFact]
    public async Task Reingesting_unchanged_content_is_a_noop_and_changed_content_replaces_old_chunks()
    {
        var doc = new { id = "notice", text = "本周营业时间：周一至周五 9:00-21:00。橘子汽水半价。" };
        Assert.Equal("created", (await _host.IngestAsync("kb", doc)).GetProperty("status").GetString());
        var first = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents/notice");

        Assert.Equal("unchanged", (await _host.IngestAsync("kb", doc)).GetProperty("status").GetString());
        var second = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents/notice");
        Assert.Equal(first.GetProperty("updatedAt").GetString(), second.GetProperty("updatedAt").GetString());

        var changed = new { id = "notice", text = "本周营业时间：周一至周日 10:00-22:00。柠檬红茶买一送一。" };
        Assert.Equal("updated", (await _host.IngestAsync("kb", changed)).GetProperty("status").GetString());

        Assert.DoesNotContain(ServiceHost.HitTexts(await _host.SearchAsync("kb", "橘子汽水")), t => t.Contains("橘子", StringComparison.Ordinal));
        var hits = ServiceHost.HitTexts(await _host.SearchAsync("kb", "柠檬红茶"));
        Assert.Single(hits);
        Assert.Contains("柠檬红茶", hits[0]);
    }

    [SkippableFact]
    public async Task Deleting_a_document_removes_its_chunks_from_search()
    {
        await _host.IngestAsync("kb", new { id = "a", text = "Zebra crossings are painted white." });
        await _host.IngestAsync("kb", new { id = "b", text = "Giraffes have long necks." });
        Assert.Equal(HttpStatusCode.NoContent, (await _host.Client.DeleteAsync("/v1/collections/kb/documents/a")).StatusCode);
        Assert.Empty((await _host.SearchAsync("kb", "zebra")).GetProperty("hits").EnumerateArray());
        Assert.Single((await _host.SearchAsync("kb", "giraffes")).GetProperty("hits").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.DeleteAsync("/v1/collections/kb/documents/a")).StatusCode);
    }

    [SkippableFact]
    public async Task Searches_show_each_re_save_of_a_document_and_nothing_after_its_delete()
    {
        // Every search below would find the earlier versions' chunks in the chunk cache, were they still asked for.
        async Task<string> TopHit()
        {
            var response = await _host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "lighthouse keeper", metadata = new[] { "rev" } });
            var raw = await response.Content.ReadFromJsonAsync<JsonElement>();
            var hits = raw.GetProperty("hits").EnumerateArray().ToList();
            return hits.Count == 0 ? "none" : string.Join("|", hits.Select(h =>
                $"{h.GetProperty("title").GetString()}:{h.GetProperty("text").GetString()}:{h.GetProperty("metadata").GetProperty("rev").GetString()}"));
        }

        await _host.IngestAsync("kb", new { id = "tale", title = "First", text = "The lighthouse keeper lit the lamp.", metadata = new { rev = "1" } });
        Assert.Equal("First:The lighthouse keeper lit the lamp.:1", await TopHit());
        Assert.Equal("updated", (await _host.IngestAsync("kb", new { id = "tale", title = "Second", text = "The lighthouse keeper lit the lamp.", metadata = new { rev = "2" } }))
            .GetProperty("status").GetString());
        Assert.Equal("Second:The lighthouse keeper lit the lamp.:2", await TopHit());
        await _host.IngestAsync("kb", new { id = "tale", title = "Second", text = "The lighthouse keeper slept through the storm.", metadata = new { rev = "3" } });
        Assert.Equal("Second:The lighthouse keeper slept through the storm.:3", await TopHit());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Client.DeleteAsync("/v1/collections/kb/documents/tale")).StatusCode);
        Assert.Equal("none", await TopHit());
    }

    [SkippableFact]
    public async Task Uploaded_markdown_file_is_ingested_under_its_file_name()
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent("# 退货政策\n\n收到商品七天内可无理由退货，运费由买家承担。\n"u8.ToArray());
        file.Headers.ContentType = new("text/markdown");
        form.Add(file, "file", "returns.md");
        var response = await _host.Client.PostAsync("/v1/collections/kb/documents/upload", form);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("returns.md", body.GetProperty("documentId").GetString());

        var top = (await _host.SearchAsync("kb", "几天内可以退货？")).GetProperty("hits")[0];
        Assert.Equal("returns.md", top.GetProperty("documentId").GetString());
        Assert.Equal("退货政策", top.GetProperty("title").GetString());
    }

    [SkippableFact]
    public async Task Filters_restrict_results_to_matching_documents()
    {
        await _host.IngestAsync("kb", new { id = "x1", text = "Widget pricing for 2024.", metadata = new Dictionary<string, string> { ["year"] = "2024" } });
        await _host.IngestAsync("kb", new { id = "x2", text = "Widget pricing for 2025.", metadata = new Dictionary<string, string> { ["year"] = "2025" } });

        var byMeta = await _host.SearchAsync("kb", "widget pricing", filter: new { metadata = new Dictionary<string, string> { ["year"] = "2025" } });
        Assert.Equal(["x2"], byMeta.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).ToArray());

        var byId = await _host.SearchAsync("kb", "widget pricing", filter: new { documentIds = new[] { "x1" } });
        Assert.Equal(["x1"], byId.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).ToArray());
    }

    [SkippableFact]
    public async Task Collections_can_be_listed_described_and_deleted()
    {
        await _host.CreateCollectionAsync("second", new { name = "second", chunkSize = 200, chunkOverlap = 20 });
        var duplicate = await _host.Client.PostAsJsonAsync("/v1/collections", new { name = "second" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        var list = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections");
        Assert.Contains(list.EnumerateArray(), c => c.GetProperty("name").GetString() == "second" && c.GetProperty("chunkSize").GetInt32() == 200);

        await _host.IngestAsync("second", new { id = "d", text = "Some text." });
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/second");
        Assert.Equal(1, stats.GetProperty("documents").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Client.DeleteAsync("/v1/collections/second")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("/v1/collections/second")).StatusCode);
    }

    [SkippableFact]
    public async Task Health_and_swagger_are_served()
    {
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/health/live")).StatusCode);
        var ready = await _host.Client.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        var components = ready.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("state").GetString());
        Assert.Equal("on", components["store"]);
        Assert.Equal("off", components["dense"]);
        Assert.Equal("off", components["llm"]);

        var swagger = await _host.Client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        Assert.True(swagger.GetProperty("paths").TryGetProperty("/v1/collections/{collection}/search", out _));
        Assert.Equal(HttpStatusCode.OK, (await _host.Client.GetAsync("/swagger/index.html")).StatusCode);
    }
}
