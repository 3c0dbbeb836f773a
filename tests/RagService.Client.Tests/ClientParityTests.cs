using System.Net;
using System.Net.Sockets;
using RagService.Api.Tests;
using RagService.Client.Errors;
using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>The parts of the REST API the client exposes beyond the basic routes: explain, chunks, readiness levels, collection stats.</summary>
public sealed class ClientParityTests
{
    /// <summary>One chunk per document (each shorter than the chunk size), so a hit's neighbourhood is the hit itself.</summary>
    private static readonly (string Id, string Text)[] Fruits =
    [
        ("apple", "苹果是红色的水果，甜，富含维生素。"),
        ("strawberry", "草莓是红色的水果，夏天最甜。"),
        ("lemon", "柠檬是黄色的水果，酸，夏天做柠檬水。"),
        ("grape", "葡萄是紫色的水果，每斤十元。"),
        ("oven", "错误代码表示温度传感器异常，烤箱门关紧。"),
    ];

    [Fact]
    public async Task Explained_hybrid_search_returns_candidates_whose_final_ranks_match_the_hits_with_neighbourhood_scores()
    {
        // The background calibration is held off for the test's length, so that the fusion state it reads does not depend on timing.
        await using var f = await ClientFixture.StartAsync([.. TestModelDirectories.ServiceArguments(), .. CalibrationNever]);
        var rag = f.Client;
        await rag.CreateCollectionAsync(new CollectionSettings("kb", ContextualHeaders: false));
        foreach (var (id, text) in Fruits)
        {
            await rag.AddDocumentAsync("kb", new DocumentInput(text, Id: id));
        }

        var result = await rag.SearchAsync("kb", "红色的水果", new SearchOptions(TopK: 3, Rerank: false, Candidates: 10, Fusion: "rrf", Explain: true));

        Assert.Equal(("hybrid", "hybrid"), (result.Mode, result.RequestedMode));
        Assert.Equal(3, result.Hits.Count);
        var candidates = Assert.IsAssignableFrom<IReadOnlyList<SearchCandidate>>(result.Candidates);
        Assert.Equal(Fruits.Length, candidates.Count); // dense ranks every chunk, so every chunk is a candidate
        Assert.Equal(Enumerable.Range(1, candidates.Count), candidates.Select(c => c.FusedRank).Order());

        // Each returned hit is exactly one candidate, and that candidate's final rank is the hit's rank.
        var returned = candidates.Where(c => c.FinalRank is not null).ToList();
        Assert.Equal(result.Hits.Select(h => (h.ChunkId, h.Rank)).Order(), returned.Select(c => (c.ChunkId, c.FinalRank!.Value)).Order());
        Assert.Equal(result.Hits.Select(h => h.DocumentId).Order(), returned.Select(c => c.DocumentId!).Order());

        foreach (var hit in result.Hits)
        {
            // Oracles by hand: reciprocal-rank fusion with k = 60 over the stage ranks; one chunk per document, so
            // the neighbourhood is the hit's own fused score and the final score is fused + neighbourhood.
            var s = hit.Scores;
            var rrf = (s.Bm25Rank is { } b ? 1.0 / (60 + b) : 0) + (s.DenseRank is { } d ? 1.0 / (60 + d) : 0);
            Assert.Equal(rrf, s.Fusion!.Value, 12);
            Assert.Equal(rrf, s.Neighbourhood!.Value, 12);
            Assert.Equal(2 * rrf, hit.Score, 12);
            Assert.Equal(s, candidates.Single(c => c.ChunkId == hit.ChunkId).Scores);
        }

        Assert.Equal("ok", result.Stages.Single(s => s.Name == "neighbours").Status);
        var bm25Engine = result.Stages.Single(s => s.Name == "bm25").Engine;
        Assert.Contains(bm25Engine, new[] { "memory", "lucene" });
        Assert.Equal("hnsw", result.Stages.Single(s => s.Name == "dense").Engine);

        var plain = await rag.SearchAsync("kb", "红色的水果", new SearchOptions(TopK: 3, Rerank: false));
        Assert.Null(plain.Candidates);

        // The collection's stats say how hybrid search fuses here: RRF until the (held-off) calibration ran.
        var stats = await rag.GetCollectionAsync("kb");
        var fusion = Assert.IsType<FusionStats>(stats.Fusion);
        Assert.Equal(("scheduled", "rrf", false), (fusion.State, fusion.Method, fusion.DenseOff));
        Assert.Null(fusion.Calibration);
        Assert.Equal(bm25Engine, stats.Bm25!.Engine);
        Assert.Equal("hnsw", stats.VectorIndex!.Engine);
        Assert.Equal((Fruits.Length, 0), (stats.VectorGraph!.Vectors, stats.VectorGraph.UnreachableVectors));
    }

    [Fact]
    public async Task Collection_stats_and_the_sync_job_say_why_dense_is_off_for_text_the_model_cannot_read()
    {
        // The test embedder's vocabulary is Chinese characters only: every English word is an unknown token to it.
        await using var f = await ClientFixture.StartAsync([.. TestModelDirectories.ServiceArguments(), "--Rag:Retrieval:Calibration:DebounceDelay=00:00:00.050"]);
        var rag = f.Client;
        await rag.CreateCollectionAsync(new CollectionSettings("manuals"));
        var folder = Directory.CreateDirectory(Path.Combine(f.Host.Directory, "manuals")).FullName;
        foreach (var topic in new[] { "descaling", "filters", "warranty", "batteries", "cleaning" })
        {
            await File.WriteAllTextAsync(Path.Combine(folder, $"{topic}.md"), $"# {topic}\n\nThe kettle manual explains {topic} step by step.\n");
        }

        // The job as GET /v1/jobs/{id} reports it once finished carries the model-fit warnings.
        var job = await rag.WaitForJobAsync((await rag.SyncFolderAsync("manuals", folder)).Id);
        Assert.Equal(new JobCounts(5, 0, 0, 0, 0), job.Counts);
        Assert.Contains(job.Warnings!, w => w.Contains("unknown", StringComparison.OrdinalIgnoreCase));

        // Calibration runs in the background after the writes; wait for its outcome (bounded), not for a time.
        var stats = await rag.GetCollectionAsync("manuals");
        for (var i = 0; i < 600 && stats.Fusion?.State != "calibrated"; i++)
        {
            await Task.Delay(100);
            stats = await rag.GetCollectionAsync("manuals");
        }

        var fusion = stats.Fusion!;
        Assert.Equal(("calibrated", "bm25 only", true, 0.0), (fusion.State, fusion.Method, fusion.DenseOff, fusion.DenseWeight));
        Assert.Contains("unknown", fusion.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0.0, fusion.Calibration!.DenseWeight);
        Assert.True(stats.ModelFit!.UnknownTokenRate >= 0.5, $"unknown-token rate {stats.ModelFit.UnknownTokenRate}");
        Assert.NotEmpty(stats.ModelFit.Warnings);
    }

    [Fact]
    public async Task A_documents_chunks_come_back_in_reading_order_and_page_by_offset()
    {
        await using var f = await ClientFixture.StartAsync();
        var rag = f.Client;
        await rag.CreateCollectionAsync(new CollectionSettings("kb", ChunkSize: 400));
        // Each section is longer than half the chunk size and shorter than the whole: one chunk per section, in order.
        var sections = new[] { "Unpack", "Install", "Clean", "Repair" };
        var filler = string.Join(' ', Enumerable.Repeat("steady", 35));
        var text = "# Oven\n\n" + string.Concat(sections.Select(s => $"## {s}\n\nStep {s.ToLowerInvariant()} begins here. {filler}\n\n"));
        await rag.AddDocumentAsync("kb", new DocumentInput(text, Id: "guides/oven.md", Format: "markdown"));

        var chunks = await rag.ListChunksAsync("kb", "guides/oven.md");

        Assert.Equal(Enumerable.Range(0, sections.Length), chunks.Select(c => c.Ordinal));
        Assert.Equal(sections.Select(s => $"Step {s.ToLowerInvariant()} begins here."),
            chunks.Select(c => sections.Select(s => $"Step {s.ToLowerInvariant()} begins here.").Single(m => c.Text.Contains(m, StringComparison.Ordinal))));
        Assert.Equal(sections.Select(s => new[] { "Oven", s }), chunks.Select(c => c.HeadingPath.ToArray()));
        Assert.All(chunks, c => Assert.Null(c.Page));
        Assert.Equal(chunks.Count, chunks.Select(c => c.ChunkId).Distinct().Count());

        var page = await rag.ListChunksAsync("kb", "guides/oven.md", offset: 1, limit: 2);
        Assert.Equal(chunks.Skip(1).Take(2).Select(c => (c.ChunkId, c.Ordinal)), page.Select(c => (c.ChunkId, c.Ordinal)));
    }

    [Fact]
    public async Task The_chunks_route_refusals_become_typed_exceptions_with_the_services_detail()
    {
        await using var f = await ClientFixture.StartAsync();
        var rag = f.Client;
        await rag.CreateCollectionAsync(new CollectionSettings("kb"));

        var missing = await Assert.ThrowsAsync<RagServiceNotFoundException>(() => rag.ListChunksAsync("kb", "no-such-doc"));
        Assert.Contains("'no-such-doc' does not exist in 'kb'", missing.Detail, StringComparison.Ordinal);

        var noCollection = await Assert.ThrowsAsync<RagServiceNotFoundException>(() => rag.ListChunksAsync("nope", "x"));
        Assert.Contains("nope", noCollection.Detail, StringComparison.Ordinal);

        var noId = await Assert.ThrowsAsync<RagServiceBadRequestException>(() => rag.ListChunksAsync("kb", ""));
        Assert.Contains("?documentId=", noId.Detail, StringComparison.Ordinal);

        var badPage = await Assert.ThrowsAsync<RagServiceBadRequestException>(() => rag.ListChunksAsync("kb", "x", limit: 0));
        Assert.Contains("'limit' between 1 and", badPage.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_llm_degrades_readiness_and_makes_it_unready_only_where_the_llm_is_required()
    {
        var llmUrl = $"--Llm:Url=http://127.0.0.1:{ClosedPort()}/v1";
        await using (var f = await ClientFixture.StartAsync(llmUrl))
        {
            var degraded = await f.Client.GetReadinessAsync();
            Assert.Equal("degraded", degraded.Status);
            Assert.True(degraded.IsServing);
            var llm = degraded.Components.Single(c => c.Name == "llm");
            Assert.Equal(("failed", false), (llm.State, llm.Required));
            Assert.Contains("could not be reached", llm.Detail, StringComparison.Ordinal); // the bootstrap key is an admin's: details included
            Assert.Equal(("on", true), Single(degraded, "store"));

            // Without a key the service answers the status only.
            using var anonymous = new RagServiceClient(new RagServiceClientOptions { BaseAddress = f.Address });
            var bare = await anonymous.GetReadinessAsync();
            Assert.Equal("degraded", bare.Status);
            Assert.Empty(bare.Components);
        }

        // The same outage where the LLM is required: 503, which the client returns rather than throws.
        await using (var f = await ClientFixture.StartAsync(llmUrl, "--Rag:Health:RequiredForReady=store,bm25,llm"))
        {
            var unready = await f.Client.GetReadinessAsync();
            Assert.Equal("unready", unready.Status);
            Assert.False(unready.IsServing);
            Assert.Equal(("failed", true), Single(unready, "llm"));
        }
    }

    private static readonly string[] CalibrationNever = ["--Rag:Retrieval:Calibration:DebounceDelay=01:00:00", "--Rag:Retrieval:Calibration:MaxDelay=01:00:00"];

    private static (string State, bool Required) Single(Readiness readiness, string name) =>
        readiness.Components.Single(c => c.Name == name) is var c ? (c.State, c.Required) : default;

    /// <summary>A loopback port nothing listens on.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
