using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Tests.Auth;

namespace RagService.Api.Tests;

/// <summary>What the web console needs from the API: the page at "/", explained searches, a document's chunks, the caller's role.</summary>
public sealed class ConsoleApiTests
{
    [Fact]
    public async Task The_console_is_served_at_the_root_without_a_key_and_Swagger_keeps_its_own_path()
    {
        await using var host = await ServiceHost.StartAsync();
        using var anonymous = host.CreateClient(null);

        var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"app.js\">", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/app.js")).StatusCode);
        // Every browser asks for /favicon.ico; a 401 there is an error in every console.
        var icon = await anonymous.GetAsync("/favicon.ico");
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal([0, 0, 1, 0], (await icon.Content.ReadAsByteArrayAsync())[..4]); // the ICO header: reserved 0, type 1 (icon)
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/collections")).StatusCode);
    }

    [Fact]
    public async Task Explain_lists_every_candidate_with_its_stage_ranks_and_marks_the_returned_ones()
    {
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "a", text = "The kettle boils water quickly." });
        await host.IngestAsync("kb", new { id = "b", text = "A kettle needs descaling every month." });
        await host.IngestAsync("kb", new { id = "c", text = "Toasters brown bread." });

        var response = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "kettle", mode = "bm25", topK = 1, explain = true });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var candidates = body.GetProperty("candidates").EnumerateArray().ToList();

        // Two documents mention "kettle"; only the top one is returned with topK 1.
        Assert.Equal(["a", "b"], candidates.Select(c => c.GetProperty("documentId").GetString()!).Order());
        Assert.Equal([1, 2], candidates.Select(c => c.GetProperty("scores").GetProperty("bm25Rank").GetInt32()));
        Assert.Equal([1, 2], candidates.Select(c => c.GetProperty("fusedRank").GetInt32()));
        Assert.All(candidates, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("scores").GetProperty("denseRank").ValueKind));
        Assert.Equal(1, candidates[0].GetProperty("finalRank").GetInt32());
        Assert.Equal(JsonValueKind.Null, candidates[1].GetProperty("finalRank").ValueKind);
        Assert.Equal(body.GetProperty("hits")[0].GetProperty("chunkId").GetInt64(), candidates[0].GetProperty("chunkId").GetInt64());

        var plain = await (await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "kettle", mode = "bm25" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(plain.TryGetProperty("candidates", out _));
    }

    [Fact]
    public async Task A_documents_chunks_come_back_in_reading_order()
    {
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync("kb");
        // Each section alone is longer than half the default chunk size (400), so the two cannot share a chunk.
        var filler = string.Join(' ', Enumerable.Repeat("steady", 40));
        await host.IngestAsync("kb", new
        {
            id = "guides/oven.md", format = "markdown",
            text = $"# Oven\n\n## Cleaning\n\nWipe the door. {filler}\n\n## Errors\n\nE7 means the door is open. {filler}",
        });

        var chunks = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/chunks?documentId=guides%2Foven.md");
        var list = chunks.EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(0, list.Count), list.Select(c => c.GetProperty("ordinal").GetInt32()));
        var cleaning = list.FindIndex(c => c.GetProperty("text").GetString()!.Contains("Wipe the door", StringComparison.Ordinal));
        var errors = list.FindIndex(c => c.GetProperty("text").GetString()!.Contains("E7 means", StringComparison.Ordinal));
        Assert.True(cleaning >= 0 && errors > cleaning, chunks.ToString());
        Assert.Equal(["Oven", "Errors"], list[errors].GetProperty("headingPath").EnumerateArray().Select(h => h.GetString()!));

        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/collections/kb/chunks?documentId=missing")).StatusCode);
        var missing = await host.Client.GetAsync("/v1/collections/kb/chunks");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("documentId", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_names_the_keys_client_and_role_but_never_the_key()
    {
        await using var host = await ServiceHost.StartAsync();
        var reader = await Keys.CreateAsync(host.Client, "console-user", "reader");
        using var client = host.CreateClient(reader.Key);

        var text = await client.GetStringAsync("/v1/whoami");
        var me = JsonDocument.Parse(text).RootElement;
        Assert.Equal("console-user", me.GetProperty("client").GetString());
        Assert.Equal("reader", me.GetProperty("role").GetString());
        Assert.DoesNotContain(reader.Key, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.CreateClient(null).GetAsync("/v1/whoami")).StatusCode);
    }
}
