using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>The query path with the real ONNX Runtime (test-built models), the real HNSW index and real SQLite.</summary>
public sealed class HybridSearchTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    private static readonly (string Id, string Text)[] Documents =
    [
        ("apple", "苹果是红色的水果，甜，维生素丰富。"),
        ("lemon", "柠檬是黄色的水果，酸，夏天做柠檬水。"),
        ("grape", "葡萄是紫色的水果，每斤十元。"),
        ("oven", "错误代码表示温度传感器异常，烤箱门关紧。"),
    ];

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync(TestModelDirectories.ServiceArguments());
        await _host.CreateCollectionAsync("kb", new { name = "kb", contextualHeaders = false });
        foreach (var (id, text) in Documents)
        {
            await _host.IngestAsync("kb", new { id, text });
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> SearchAsync(object body)
    {
        var response = await _host.Client.PostAsJsonAsync("/v1/collections/kb/search", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Dictionary<string, JsonElement> Stages(JsonElement search) =>
        search.GetProperty("stages").EnumerateArray().ToDictionary(s => s.GetProperty("stage").GetString()!);

    private static double? Num(JsonElement scores, string name) =>
        scores.GetProperty(name).ValueKind == JsonValueKind.Null ? null : scores.GetProperty(name).GetDouble();

    [Fact]
    public async Task Health_reports_dense_and_rerank_on()
    {
        var ready = await _host.Client.GetFromJsonAsync<JsonElement>("/health/ready");
        var components = ready.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("state").GetString());
        Assert.Equal("on", components["dense"]);
        Assert.Equal("on", components["rerank"]);
    }

    [Fact]
    public async Task Collection_stats_show_every_vector_reachable_in_the_graph()
    {
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
        var graph = stats.GetProperty("vectorGraph");
        Assert.Equal(stats.GetProperty("vectors").GetInt32(), graph.GetProperty("vectors").GetInt32());
        Assert.Equal(Documents.Length, graph.GetProperty("vectors").GetInt32());
        Assert.Equal(0, graph.GetProperty("unreachableVectors").GetInt32());
        Assert.Equal(0, graph.GetProperty("duplicateVectors").GetInt32());
    }

    [Fact]
    public async Task Repeated_boilerplate_is_counted_as_duplicate_vectors_and_every_copy_is_still_found()
    {
        // Without contextual headers, three documents with the same text embed to the same vector: one graph node, two copies.
        await _host.CreateCollectionAsync("boiler", new { name = "boiler", contextualHeaders = false });
        foreach (var id in new[] { "a", "b", "c" })
        {
            await _host.IngestAsync("boiler", new { id, text = "本页内容仅供参考，以门店公告为准。" });
        }

        await _host.IngestAsync("boiler", new { id = "menu", text = "葡萄是紫色的水果，每斤十元。" });
        var graph = (await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/boiler")).GetProperty("vectorGraph");
        Assert.Equal(4, graph.GetProperty("vectors").GetInt32());
        Assert.Equal(2, graph.GetProperty("duplicateVectors").GetInt32());
        Assert.Equal(0, graph.GetProperty("unreachableVectors").GetInt32());

        var response = await _host.Client.PostAsJsonAsync("/v1/collections/boiler/search", new { query = "本页内容仅供参考，以门店公告为准。", mode = "dense", rerank = false, topK = 3 });
        var hits = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()).ToList();
        Assert.Equal(["a", "b", "c"], hits.Order());
    }

    [Fact]
    public async Task Dense_mode_finds_the_passage_whose_text_is_the_query()
    {
        // Without contextual headers or prefixes, a passage's vector equals the vector of the same text as a query.
        var search = await SearchAsync(new { query = Documents[2].Text, mode = "dense", rerank = false, topK = 4 });
        var top = search.GetProperty("hits")[0];
        Assert.Equal("grape", top.GetProperty("documentId").GetString());
        Assert.Equal(1.0, top.GetProperty("scores").GetProperty("dense").GetDouble(), 3);
        Assert.Equal("skipped", Stages(search)["bm25"].GetProperty("status").GetString());
        Assert.Equal("ok", Stages(search)["dense"].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Hybrid_fuses_both_retrievers_with_rrf_and_reports_every_stage()
    {
        var search = await SearchAsync(new { query = "红色的水果", rerank = false, topK = 10, candidates = 10 });
        var stages = Stages(search);
        foreach (var stage in new[] { "bm25", "dense", "fusion", "neighbours" })
        {
            Assert.Equal("ok", stages[stage].GetProperty("status").GetString());
        }

        Assert.Equal("skipped", stages["rerank"].GetProperty("status").GetString());

        // The oracle: each retriever run on its own, ranks taken from those responses, fused by hand with
        // reciprocal rank fusion, k = 60: score = sum over retrievers of 1 / (60 + rank).
        var bm25Ranks = await RanksAsync(new { query = "红色的水果", mode = "bm25", rerank = false, topK = 10, candidates = 10 });
        var denseRanks = await RanksAsync(new { query = "红色的水果", mode = "dense", rerank = false, topK = 10, candidates = 10 });
        Assert.Equal(Documents.Length, denseRanks.Count); // dense ranks every chunk
        Assert.NotEmpty(bm25Ranks);
        var expected = denseRanks.Keys.Union(bm25Ranks.Keys).ToDictionary(
            id => id,
            id => (bm25Ranks.TryGetValue(id, out var b) ? 1.0 / (60 + b) : 0) + (denseRanks.TryGetValue(id, out var d) ? 1.0 / (60 + d) : 0));

        var hits = search.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(expected.Keys.Order(), hits.Select(h => h.GetProperty("chunkId").GetInt64()).Order());
        foreach (var hit in hits)
        {
            // Every document here is one chunk, so each hit's neighbourhood is itself: score = fused + 1 x fused.
            var want = expected[hit.GetProperty("chunkId").GetInt64()];
            Assert.Equal(want, Num(hit.GetProperty("scores"), "fusion")!.Value, 12);
            Assert.Equal(want, Num(hit.GetProperty("scores"), "neighbourhood")!.Value, 12);
            Assert.Equal(2 * want, hit.GetProperty("score").GetDouble(), 12);
        }

        var order = hits.Select(h => expected[h.GetProperty("chunkId").GetInt64()]).ToList();
        Assert.Equal(order.OrderDescending(), order);
    }

    [Fact]
    public async Task A_section_next_to_the_best_match_outranks_an_equally_fused_section_elsewhere()
    {
        // Chunks of at most 20 characters: one sentence each.
        await _host.CreateCollectionAsync("menu", new { name = "menu", contextualHeaders = false, chunking = "sentence-pack", chunkSize = 20 });
        await _host.IngestAsync("menu", new { id = "pizza.md", text = "超级至尊披萨是本店的招牌披萨。它的价格是三十八元。外卖需要另外支付五元运费。每周一全天休息不营业。" });
        await _host.IngestAsync("menu", new { id = "notice.md", text = "本店的价格表每月更新。" });
        object Body(string mode) => new { query = "超级至尊披萨的价格", mode, rerank = false, topK = 10, candidates = 10 };
        var search = await _host.Client.PostAsJsonAsync("/v1/collections/menu/search", Body("hybrid"));
        var hybrid = await search.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", Stages(hybrid)["neighbours"].GetProperty("status").GetString());

        // The oracle: each retriever alone, fused by hand (reciprocal rank, k = 60: the collection is too small to calibrate),
        // then each chunk's fused score plus the best fused score among itself and the chunks at ordinal +-1 of the same
        // document (positions from the document's chunk list).
        async Task<Dictionary<long, int>> Ranks(string mode) =>
            (await (await _host.Client.PostAsJsonAsync("/v1/collections/menu/search", Body(mode))).Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("hits").EnumerateArray().Select((h, i) => (Id: h.GetProperty("chunkId").GetInt64(), Rank: i + 1)).ToDictionary(x => x.Id, x => x.Rank);
        var bm25 = await Ranks("bm25");
        var dense = await Ranks("dense");
        var fused = bm25.Keys.Union(dense.Keys).ToDictionary(
            id => id, id => (bm25.TryGetValue(id, out var b) ? 1.0 / (60 + b) : 0) + (dense.TryGetValue(id, out var d) ? 1.0 / (60 + d) : 0));
        var position = new Dictionary<long, (string Document, int Ordinal)>();
        foreach (var document in new[] { "pizza.md", "notice.md" })
        {
            foreach (var chunk in (await _host.Client.GetFromJsonAsync<JsonElement>($"/v1/collections/menu/chunks?documentId={document}")).EnumerateArray())
            {
                position[chunk.GetProperty("chunkId").GetInt64()] = (document, chunk.GetProperty("ordinal").GetInt32());
            }
        }

        Assert.Equal(5, position.Count);
        var expected = fused.ToDictionary(f => f.Key, f => f.Value + fused.Where(n => position[n.Key].Document == position[f.Key].Document
            && Math.Abs(position[n.Key].Ordinal - position[f.Key].Ordinal) <= 1).Max(n => n.Value));
        var hits = hybrid.GetProperty("hits").EnumerateArray().Select(h => (Id: h.GetProperty("chunkId").GetInt64(), Score: h.GetProperty("score").GetDouble())).ToList();
        Assert.Equal(expected.OrderByDescending(e => e.Value).Select(e => e.Key), hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.Equal(expected[h.Id], h.Score, 12));

        // Not vacuous: the neighbourhood changed the fused order (a chunk beside the best match moved up).
        Assert.NotEqual(fused.OrderByDescending(f => f.Value).Select(f => f.Key), hits.Select(h => h.Id));
    }

    [Fact]
    public async Task With_neighbours_turned_off_a_hit_scores_its_fused_score()
    {
        await using var host = await ServiceHost.StartAsync([.. TestModelDirectories.ServiceArguments(), "--Rag:Retrieval:Neighbours:Window=0"]);
        await host.CreateCollectionAsync("kb", new { name = "kb", contextualHeaders = false });
        foreach (var (id, text) in Documents)
        {
            await host.IngestAsync("kb", new { id, text });
        }

        var response = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "红色的水果", rerank = false, topK = 4 });
        var search = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("off", Stages(search)["neighbours"].GetProperty("status").GetString());
        Assert.All(search.GetProperty("hits").EnumerateArray(), h =>
        {
            Assert.Equal(Num(h.GetProperty("scores"), "fusion")!.Value, h.GetProperty("score").GetDouble(), 12);
            Assert.Null(Num(h.GetProperty("scores"), "neighbourhood"));
        });
    }

    private async Task<Dictionary<long, int>> RanksAsync(object body) =>
        (await SearchAsync(body)).GetProperty("hits").EnumerateArray()
            .Select((h, i) => (Id: h.GetProperty("chunkId").GetInt64(), Rank: i + 1))
            .ToDictionary(x => x.Id, x => x.Rank);

    [Fact]
    public async Task A_passage_found_only_by_bm25_and_one_found_only_by_dense_both_survive_fusion()
    {
        // "甲乙丙" and "丁戊己" are outside the test model's vocabulary: both embed as [CLS] [UNK] [UNK] [UNK] [SEP], so the
        // query "丁戊己" is dense-identical to the passage "甲乙丙" while sharing no BM25 term with it.
        await _host.IngestAsync("kb", new { id = "dense-only", text = "甲乙丙" });
        await _host.IngestAsync("kb", new { id = "bm25-only", text = "丁戊己是会员积分的兑换代码。" });

        // Each retriever returns max(candidates, topK) = 2 candidates.
        var search = await SearchAsync(new { query = "丁戊己", candidates = 1, topK = 2, rerank = false });
        var hits = search.GetProperty("hits").EnumerateArray().ToDictionary(h => h.GetProperty("documentId").GetString()!, h => h.GetProperty("scores"));
        Assert.Equal(["bm25-only", "dense-only"], hits.Keys.Order().ToArray());
        Assert.Equal(1, Num(hits["bm25-only"], "bm25Rank"));
        Assert.NotEqual(1, Num(hits["bm25-only"], "denseRank"));
        Assert.Equal(1, Num(hits["dense-only"], "denseRank"));
        Assert.Null(Num(hits["dense-only"], "bm25Rank"));
        Assert.Equal(1.0 / 61, Num(hits["dense-only"], "fusion")!.Value, 12);
    }

    [Fact]
    public async Task Rerank_orders_hits_by_the_cross_encoder_score()
    {
        var search = await SearchAsync(new { query = "水果", topK = 4 });
        Assert.Equal("ok", Stages(search)["rerank"].GetProperty("status").GetString());
        var scores = search.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("scores").GetProperty("rerank").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending().ToList(), scores);
        Assert.Equal(scores[0], search.GetProperty("hits")[0].GetProperty("score").GetDouble(), 6);
    }

    [Fact]
    public async Task Replaced_document_leaves_no_stale_dense_hits()
    {
        var before = await SearchAsync(new { query = Documents[1].Text, mode = "dense", rerank = false });
        var oldChunk = before.GetProperty("hits")[0].GetProperty("chunkId").GetInt64();

        await _host.IngestAsync("kb", new { id = "lemon", text = "柠檬现在每斤八元，会员有优惠。" });
        var after = await SearchAsync(new { query = Documents[1].Text, mode = "dense", rerank = false, topK = 10 });
        Assert.DoesNotContain(after.GetProperty("hits").EnumerateArray(), h => h.GetProperty("chunkId").GetInt64() == oldChunk);
        Assert.Single(after.GetProperty("hits").EnumerateArray(), h => h.GetProperty("documentId").GetString() == "lemon");
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("hybrid")]
    [InlineData("bm25")]
    public async Task Filters_restrict_every_mode(string mode)
    {
        var byId = await SearchAsync(new { query = Documents[0].Text, mode, filter = new { documentIds = new[] { "oven", "grape" } } });
        Assert.All(byId.GetProperty("hits").EnumerateArray(), h => Assert.Contains(h.GetProperty("documentId").GetString(), new[] { "oven", "grape" }));
        if (mode != "bm25")
        {
            Assert.Equal(2, byId.GetProperty("hits").GetArrayLength()); // dense ranks every document, so both pass
        }

        var cutoff = DateTimeOffset.UtcNow;
        await _host.IngestAsync("kb", new { id = "late", text = "苹果是红色的水果，甜。" });
        var byTime = await SearchAsync(new { query = "苹果是红色的水果", mode, topK = 10, filter = new { createdAfter = cutoff } });
        Assert.Equal(["late"], byTime.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).Distinct().ToArray());
        var before = await SearchAsync(new { query = "苹果是红色的水果", mode, topK = 10, filter = new { updatedBefore = cutoff } });
        Assert.DoesNotContain(before.GetProperty("hits").EnumerateArray(), h => h.GetProperty("documentId").GetString() == "late");
    }

    [Fact]
    public async Task Vector_index_survives_a_restart_from_its_snapshot()
    {
        // Its own database: the snapshot is written when a service stops, so the first service must stop before the second starts.
        var directory = Path.Combine(Path.GetTempPath(), "ragsvc-snapshot-" + Guid.NewGuid().ToString("N")[..12]);
        var database = Path.Combine(directory, "rag.db");
        string[] settings = [.. TestModelDirectories.ServiceArguments(), $"--Rag:DatabasePath={database}"];
        var query = new { query = Documents[3].Text, mode = "dense", rerank = false };
        try
        {
            List<long> before;
            await using (var first = await ServiceHost.StartAsync(settings))
            {
                await first.CreateCollectionAsync("kb", new { name = "kb", contextualHeaders = false });
                foreach (var (id, text) in Documents)
                {
                    await first.IngestAsync("kb", new { id, text });
                }

                before = ChunkIds(await SearchAsync(first, query));
                Assert.StartsWith("rebuilt: missing", await VectorLoadVerdictAsync(first));
            }

            Assert.True(File.Exists(Path.Combine(directory, "rag.db.vectors", "collection-1.hnsw")), "stopping the service writes the snapshot");
            await using var restarted = await ServiceHost.StartAsync(settings);
            Assert.Equal(before, ChunkIds(await SearchAsync(restarted, query)));
            Assert.Equal("loaded", await VectorLoadVerdictAsync(restarted));
        }
        finally
        {
            SqliteStorePool.Release(database);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<JsonElement> SearchAsync(ServiceHost host, object body)
    {
        var response = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<long> ChunkIds(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("chunkId").GetInt64()).ToList();

    private static async Task<string> VectorLoadVerdictAsync(ServiceHost host) =>
        (await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb")).GetProperty("vectorIndex").GetProperty("load").GetString()!;
}
