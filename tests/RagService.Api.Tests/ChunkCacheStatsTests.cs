using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>
/// The collection statistics show this replica's chunk cache. Counted by hand: with a bound of 400 bytes, a one-chunk
/// document of three characters is kept when written (2 bytes a character plus 288 for its six objects, ChunkCache.SizeOf)
/// and one of 139 characters is not (over 566 bytes: larger than the whole bound). Searches then ask for the small chunk once (a hit)
/// and for the large one twice (two misses: it is read from the store each time and never kept).
/// </summary>
public sealed class ChunkCacheStatsTests
{
    [Fact]
    public async Task Collection_stats_show_the_caches_entries_and_the_hits_and_misses_of_searches_to_unlimited_callers_only()
    {
        await using var host = await ServiceHost.StartAsync("--Rag:ChunkCache:MaxBytes=400");
        await host.CreateCollectionAsync("kb", new { name = "kb", chunkSize = 512, chunkOverlap = 0 });
        await host.IngestAsync("kb", new { id = "s", text = "tea" });
        await host.IngestAsync("kb", new { id = "b", text = string.Join(' ', Enumerable.Repeat("coffee", 20)) });

        foreach (var (query, document) in new[] { ("tea", "s"), ("coffee", "b"), ("coffee", "b") })
        {
            var hits = (await host.SearchAsync("kb", query, mode: "bm25")).GetProperty("hits");
            Assert.Equal([document], hits.EnumerateArray().Select(h => h.GetProperty("documentId").GetString()));
        }

        var cache = (await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb")).GetProperty("chunkCache");
        Assert.Equal((1L, 400L, 1L, 2L), (cache.GetProperty("entries").GetInt64(), cache.GetProperty("maxBytes").GetInt64(),
            cache.GetProperty("hits").GetInt64(), cache.GetProperty("misses").GetInt64()));
        Assert.InRange(cache.GetProperty("bytes").GetInt64(), 288, 400);

        var created = await (await host.Client.PostAsJsonAsync("/v1/keys", new { client = "hr-app", role = "reader", principals = new[] { "group:hr" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        using var limited = host.CreateClient(created.GetProperty("key").GetString());
        Assert.False((await limited.GetFromJsonAsync<JsonElement>("/v1/collections/kb")).TryGetProperty("chunkCache", out _));
    }
}
