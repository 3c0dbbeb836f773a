using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;
using RagService.Core.Tests.Fakes;
using RagService.Tests.Shared;
using static RagService.Core.Tests.Fakes.FourChunkSearchFixture;

namespace RagService.Core.Tests;

/// <summary>
/// How the query path is composed: a stage is one class and one registration line (the worked example of
/// docs/architecture.md, a no-op "audit" stage), and an unconfigured stage is a null object reporting "off".
/// The search is the <see cref="FourChunkSearchFixture"/>: bm25 [1,2,3], dense [3,1,4].
/// </summary>
public sealed class SearchPipelineTests
{
    private readonly FourChunkSearchFixture _search = new();

    /// <summary>The worked example: it looks at what the earlier stages left and changes nothing.</summary>
    private sealed class AuditStage(AuditLog log) : ISearchStage
    {
        public string Name => "audit";

        public Task<StageResult?> RunAsync(SearchContext context)
        {
            log.Seen.Add((context.Query.Query, context.Ranked.Select(r => r.Id).ToList()));
            return Task.FromResult<StageResult?>(StageResult.Ok(context.Ranked.Count, "audited"));
        }
    }

    private sealed class AuditLog
    {
        public List<(string Query, List<long> Ranked)> Seen { get; } = [];
    }

    private SearchService Compose(AuditLog? audit = null) =>
        _search.Compose(new FakeEmbedder(), more: audit is null ? null : services => services.AddSingleton(audit).AddSearchStage<AuditStage>());

    private static readonly SearchQuery Query = new() { Query = "alpha", TopK = 3, Fusion = FusionMethod.Rrf };

    [Fact]
    public async Task An_added_audit_stage_runs_last_sees_the_fused_candidates_and_changes_no_hit()
    {
        var audit = new AuditLog();
        var outcome = await Compose(audit).SearchAsync(Collection, Query, default);

        // bm25 [1,2,3] and dense [3,1,4] fused by rrf k=60: 1 (1/61+1/62), 3 (1/63+1/61), 2 (1/62), 4 (1/63).
        var seen = Assert.Single(audit.Seen);
        Assert.Equal("alpha", seen.Query);
        Assert.Equal([1L, 3, 2, 4], seen.Ranked);
        Assert.Equal(["bm25:ok", "dense:ok", "fusion:ok", "neighbours:off", "rerank:off", "fetch:ok", "audit:ok"],
            outcome.Stages.Select(s => $"{s.Stage}:{s.Status}"));
        Assert.Equal((4, "audited"), (outcome.Stages[^1].Candidates, outcome.Stages[^1].Detail));
        Assert.Equal([1L, 3, 2], outcome.Hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public async Task Without_its_registration_line_the_audit_stage_is_gone()
    {
        var outcome = await Compose().SearchAsync(Collection, Query, default);

        Assert.Equal(["bm25:ok", "dense:ok", "fusion:ok", "neighbours:off", "rerank:off", "fetch:ok"], outcome.Stages.Select(s => $"{s.Stage}:{s.Status}"));
        Assert.Equal([1L, 3, 2], outcome.Hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public async Task An_unconfigured_stage_is_its_null_object_reporting_off_and_refusing_an_explicit_request()
    {
        var search = SearchComposition.Compose(_search.Store, new FakeLexicalIndex(new ScoredChunk(1, 9)), _search.Analyzers);

        Assert.False(search.DenseAvailable);
        Assert.False(search.RerankAvailable);
        var outcome = await search.SearchAsync(Collection, new SearchQuery { Query = "alpha" }, default);
        Assert.Equal(("off", "no embedding model configured"), (outcome.Stages[1].Status, outcome.Stages[1].Detail));
        Assert.Equal(0, outcome.Stages[1].Milliseconds);
        var refused = await Assert.ThrowsAsync<StageUnavailableException>(() => search.SearchAsync(Collection, new SearchQuery { Query = "alpha", Rerank = true }, default));
        Assert.Contains("Rag:Reranker:ModelDirectory", refused.Message);
    }

    [Theory]
    [InlineData(StageStatus.Ok, "ok")]
    [InlineData(StageStatus.Skipped, "skipped")]
    [InlineData(StageStatus.Off, "off")]
    [InlineData(StageStatus.Failed, "failed")]
    [InlineData(StageStatus.NotFound, "not found")]
    public void Each_status_keeps_its_wire_name(StageStatus status, string wire) => Assert.Equal(wire, status.WireName());
}
