using RagService.Core.Indexing;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Tests.Fakes;
using RagService.Tests.Shared;
using static RagService.Core.Tests.Fakes.FourChunkSearchFixture;

namespace RagService.Core.Tests;

/// <summary>
/// The query path's decisions with fakes of its ports: which stages run, how the lists are fused, how neighbours and the
/// reranker reorder them, when the lexical floor judges. Every expected order and score is computed by hand in the comments.
/// The store is the <see cref="FourChunkSearchFixture"/>'s plus chunk 5; most tests give their own hit lists.
/// </summary>
public sealed class SearchServiceTests
{
    private readonly FourChunkSearchFixture _search = new();

    /// <summary>The fixture's four chunks and a fifth, c5 alone in document key 50, for the BM25 answers that rank five.</summary>
    public SearchServiceTests() => _search.Store.Add(5, "c5", documentKey: 50, ordinal: 0);

    private static ScoredChunk[] Hits(params (long Id, double Score)[] hits) => hits.Select(h => new ScoredChunk(h.Id, h.Score)).ToArray();

    private SearchService Service(FakeLexicalIndex lexical, FakeVectorIndex? vectors = null, FakeReranker? reranker = null, RetrievalOptions? options = null,
        IHitHighlighter? highlighter = null) =>
        SearchComposition.Compose(_search.Store, lexical, _search.Analyzers, vectors, vectors is null ? null : new FakeEmbedder(), reranker, options, highlighter);

    private static string[] Stages(SearchOutcome outcome) => outcome.Stages.Select(s => $"{s.Stage}:{s.Status}").ToArray();

    private static StageReport Stage(SearchOutcome outcome, string name) => outcome.Stages.Single(s => s.Stage == name);

    [Fact]
    public async Task Hybrid_rrf_fuses_by_reciprocal_rank_and_keeps_each_hits_ranks()
    {
        // bm25 [1 (9), 2 (5), 3 (1)], dense [3 (0.9), 1 (0.8), 4 (0.7)], k = 60: 1 → 1/61 + 1/62, 3 → 1/63 + 1/61, 2 → 1/62, 4 → 1/63.
        var outcome = await _search.Compose(new FakeEmbedder())
            .SearchAsync(Collection, new SearchQuery { Query = "alpha", TopK = 3, Fusion = FusionMethod.Rrf }, default);

        Assert.Equal([1L, 3, 2], outcome.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([1, 2, 3], outcome.Hits.Select(h => h.Rank));
        Assert.Equal(1.0 / 61 + 1.0 / 62, outcome.Hits[0].Score, 12);
        Assert.Equal(1.0 / 63 + 1.0 / 61, outcome.Hits[1].Score, 12);
        Assert.Equal(new HitProvenance(1, 9, 2, 0.8, 1.0 / 61 + 1.0 / 62, null), outcome.Hits[0].Provenance);
        Assert.Equal(new HitProvenance(2, 5, null, null, 1.0 / 62, null), outcome.Hits[2].Provenance);
        Assert.Equal([1L, 3, 2, 4], outcome.Candidates.Select(c => c.ChunkId));
        Assert.Equal(new HitProvenance(null, null, 3, 0.7, 1.0 / 63, null), outcome.Candidates[3].Provenance);
        Assert.Equal(RetrievalMode.Hybrid, outcome.RanMode);
        Assert.False(outcome.NothingSpecificMatched);
        Assert.Equal(["bm25:ok", "dense:ok", "fusion:ok", "neighbours:off", "rerank:off", "fetch:ok"], Stages(outcome));
        Assert.Equal((3, "fake-bm25", "1 query terms"), (Stage(outcome, "bm25").Candidates, Stage(outcome, "bm25").Engine, Stage(outcome, "bm25").Detail));
        Assert.Equal((3, "fake-hnsw", "fake-model on cpu"), (Stage(outcome, "dense").Candidates, Stage(outcome, "dense").Engine, Stage(outcome, "dense").Detail));
        Assert.Equal((4, "rrf k=60"), (Stage(outcome, "fusion").Candidates, Stage(outcome, "fusion").Detail));
        Assert.Equal(3, Stage(outcome, "fetch").Candidates);
        Assert.Equal("no reranker model configured", Stage(outcome, "rerank").Detail);
        // Without a reranker only the top K are read from the store.
        Assert.Equal([1L, 3, 2], _search.Store.ChunkReads.Single());
    }

    [Fact]
    public async Task Each_retriever_is_asked_for_the_larger_of_candidates_and_top_k()
    {
        var lexical = new FakeLexicalIndex(Hits((1, 1)));
        var vectors = new FakeVectorIndex(Hits((1, 1)));
        await Service(lexical, vectors).SearchAsync(Collection, new SearchQuery { Query = "alpha beta", TopK = 8, Candidates = 3 }, default);
        await Service(lexical, vectors).SearchAsync(Collection, new SearchQuery { Query = "alpha", TopK = 2, Candidates = 20 }, default);

        Assert.Equal([8, 20], lexical.Searches.Select(s => s.Limit));
        Assert.Equal([8, 20], vectors.Searches.Select(s => s.Limit));
        Assert.Equal(["alpha", "beta"], lexical.Searches[0].Terms);
    }

    [Fact]
    public async Task Weighted_fusion_sums_min_max_normalised_scores_at_the_configured_dense_weight()
    {
        // bm25 10/6/2 → 1, 0.5, 0 (× 0.75); dense 0.9/0.5 → 1, 0 (× 0.25): 1 → 0.75, 2 → 0.375, 3 → 0.25, 4 → 0.
        var lexical = new FakeLexicalIndex(Hits((1, 10), (2, 6), (3, 2)));
        var vectors = new FakeVectorIndex(Hits((3, 0.9), (4, 0.5)));
        var options = NoNeighbours with { DenseWeight = 0.25 };
        var outcome = await Service(lexical, vectors, options: options)
            .SearchAsync(Collection, new SearchQuery { Query = "alpha", TopK = 4, Fusion = FusionMethod.Weighted }, default);

        Assert.Equal([1L, 2, 3, 4], outcome.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([0.75, 0.375, 0.25, 0.0], outcome.Hits.Select(h => Math.Round(h.Score, 12)));
        Assert.Equal("weighted dense=0.25", Stage(outcome, "fusion").Detail);
    }

    [Fact]
    public async Task Neighbours_lift_a_candidate_beside_a_strong_match_above_an_isolated_one()
    {
        // Weighted as above (1: 0.75, 2: 0.375, 3: 0.25, 4: 0). Chunk 3 sits right after chunk 1 in document 10, chunk 4
        // three chunks further: 1 → 0.75 + 0.75 = 1.5, 3 → 0.25 + 0.75 = 1.0, 2 (alone) → 0.75, 4 (outside the window) → 0.
        _search.Store.Positions[1] = new ChunkPosition(10, 0);
        _search.Store.Positions[3] = new ChunkPosition(10, 1);
        _search.Store.Positions[4] = new ChunkPosition(10, 3);
        var lexical = new FakeLexicalIndex(Hits((1, 10), (2, 6), (3, 2)));
        var vectors = new FakeVectorIndex(Hits((3, 0.9), (4, 0.5)));
        var options = new RetrievalOptions { DenseWeight = 0.25, Neighbours = new NeighbourEvidenceOptions { Window = 1, Weight = 1 } };
        var outcome = await Service(lexical, vectors, options: options)
            .SearchAsync(Collection, new SearchQuery { Query = "alpha", TopK = 4, Fusion = FusionMethod.Weighted }, default);

        Assert.Equal([1L, 3, 2, 4], outcome.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([1.5, 1.0, 0.75, 0.0], outcome.Hits.Select(h => Math.Round(h.Score, 12)));
        Assert.Equal(0.75, outcome.Hits[1].Provenance.NeighbourhoodScore!.Value, 12);
        Assert.Equal(0.25, outcome.Hits[1].Provenance.FusionScore!.Value, 12);
        var stage = Stage(outcome, "neighbours");
        Assert.Equal(("ok", 4), (stage.Status, stage.Candidates));
        Assert.Equal("fused score + 1 x the best fused score within 1 chunk(s) of it in its document", stage.Detail);
    }

    [Fact]
    public async Task The_reranker_reorders_the_fused_candidates_and_its_score_is_the_hits_score()
    {
        // Fused (rrf) order 1, 2, 3; the cross-encoder prefers c3, then c1 and c2 tie (fused order kept).
        var lexical = new FakeLexicalIndex(Hits((1, 3), (2, 2), (3, 1)));
        var vectors = new FakeVectorIndex(Hits((1, 3), (2, 2), (3, 1)));
        var reranker = new FakeReranker(new() { ["c1"] = 0.5f, ["c2"] = 0.5f, ["c3"] = 2f });
        var outcome = await Service(lexical, vectors, reranker, NoNeighbours)
            .SearchAsync(Collection, new SearchQuery { Query = "alpha", TopK = 2, Fusion = FusionMethod.Rrf }, default);

        Assert.Equal([3L, 1], outcome.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([2.0, 0.5], outcome.Hits.Select(h => h.Score));
        Assert.Equal(2.0, outcome.Hits[0].Provenance.RerankScore);
        // RerankCandidates (10) is more than there are: all three are read and scored, the top K kept.
        Assert.Equal(["c1", "c2", "c3"], reranker.Calls.Single());
        Assert.Equal(("ok", 3, "fake-reranker"), (Stage(outcome, "rerank").Status, Stage(outcome, "rerank").Candidates, Stage(outcome, "rerank").Detail));
        Assert.Equal(3, Stage(outcome, "fetch").Candidates);
    }

    [Fact]
    public async Task The_reranker_sees_at_most_rerank_candidates_but_never_fewer_than_top_k()
    {
        var lexical = new FakeLexicalIndex(Hits((1, 5), (2, 4), (3, 3), (4, 2), (5, 1)));
        var reranker = new FakeReranker([]);
        await Service(lexical, reranker: reranker, options: NoNeighbours with { RerankCandidates = 2 })
            .SearchAsync(Collection, new SearchQuery { Query = "alpha", TopK = 1 }, default);
        await Service(lexical, reranker: reranker, options: NoNeighbours with { RerankCandidates = 2 })
            .SearchAsync(Collection, new SearchQuery { Query = "alpha", TopK = 3 }, default);

        Assert.Equal([2, 3], reranker.Calls.Select(c => c.Count));
    }

    [Fact]
    public async Task Rerank_false_skips_the_reranker_and_rerank_true_without_one_is_refused()
    {
        var lexical = new FakeLexicalIndex(Hits((1, 5), (2, 4)));
        var reranker = new FakeReranker(new() { ["c2"] = 9f });
        var outcome = await Service(lexical, reranker: reranker).SearchAsync(Collection, new SearchQuery { Query = "alpha", Rerank = false }, default);
        Assert.Equal([1L, 2], outcome.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(("skipped", "rerank: false"), (Stage(outcome, "rerank").Status, Stage(outcome, "rerank").Detail));
        Assert.Empty(reranker.Calls);

        var error = await Assert.ThrowsAsync<StageUnavailableException>(() =>
            Service(lexical).SearchAsync(Collection, new SearchQuery { Query = "alpha", Rerank = true }, default));
        Assert.Contains("Rag:Reranker:ModelDirectory", error.Message);
    }

    [Fact]
    public async Task Nothing_found_is_reported_as_a_skipped_rerank_without_calling_the_model()
    {
        var reranker = new FakeReranker([]);
        var outcome = await Service(new FakeLexicalIndex(), reranker: reranker).SearchAsync(Collection, new SearchQuery { Query = "alpha" }, default);
        Assert.Empty(outcome.Hits);
        Assert.Equal(("skipped", "no candidates"), (Stage(outcome, "rerank").Status, Stage(outcome, "rerank").Detail));
        Assert.Empty(reranker.Calls);
    }

    [Fact]
    public async Task Hybrid_without_an_embedding_model_runs_bm25_and_says_why_dense_is_off()
    {
        var lexical = new FakeLexicalIndex(Hits((2, 4), (1, 3)));
        var outcome = await Service(lexical).SearchAsync(Collection, new SearchQuery { Query = "alpha" }, default);

        Assert.Equal(RetrievalMode.Bm25, outcome.RanMode);
        Assert.Equal([2L, 1], outcome.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([4.0, 3.0], outcome.Hits.Select(h => h.Score));
        Assert.Equal(["bm25:ok", "dense:off", "fusion:skipped", "neighbours:skipped", "rerank:off", "fetch:ok", "floor:skipped"], Stages(outcome));
        Assert.Equal("no embedding model configured", Stage(outcome, "dense").Detail);
        Assert.Equal(("one retriever", 2), (Stage(outcome, "fusion").Detail, Stage(outcome, "fusion").Candidates));
        Assert.Equal("the BM25 engine reports no term statistics", Stage(outcome, "floor").Detail);
    }

    [Fact]
    public async Task Dense_mode_without_an_embedding_model_is_refused()
    {
        var error = await Assert.ThrowsAsync<StageUnavailableException>(() =>
            Service(new FakeLexicalIndex()).SearchAsync(Collection, new SearchQuery { Query = "alpha", Mode = RetrievalMode.Dense }, default));
        Assert.Contains("Rag:Embedding:ModelDirectory", error.Message);
    }

    [Fact]
    public async Task Single_mode_searches_run_only_their_retriever()
    {
        var lexical = new FakeLexicalIndex(Hits((1, 5)));
        var vectors = new FakeVectorIndex(Hits((2, 0.5)));

        var bm25 = await Service(lexical, vectors).SearchAsync(Collection, new SearchQuery { Query = "alpha", Mode = RetrievalMode.Bm25 }, default);
        Assert.Equal(RetrievalMode.Bm25, bm25.RanMode);
        Assert.Equal([1L], bm25.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(("skipped", "mode bm25"), (Stage(bm25, "dense").Status, Stage(bm25, "dense").Detail));
        Assert.Empty(vectors.Searches);

        var dense = await Service(lexical, vectors).SearchAsync(Collection, new SearchQuery { Query = "alpha", Mode = RetrievalMode.Dense }, default);
        Assert.Equal(RetrievalMode.Dense, dense.RanMode);
        Assert.Equal([2L], dense.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(("skipped", "mode dense"), (Stage(dense, "bm25").Status, Stage(dense, "bm25").Detail));
        Assert.Single(lexical.Searches);
        // The floor judges only what BM25 alone ranked.
        Assert.DoesNotContain(dense.Stages, s => s.Stage == "floor");
    }

    [Fact]
    public async Task A_failing_vector_index_leaves_hybrid_with_bm25_but_fails_a_dense_search()
    {
        var lexical = new FakeLexicalIndex(Hits((1, 5)));
        var vectors = new FakeVectorIndex { Failure = new InvalidOperationException("snapshot folder unusable") };

        var hybrid = await Service(lexical, vectors).SearchAsync(Collection, new SearchQuery { Query = "alpha" }, default);
        Assert.Equal([1L], hybrid.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal(("failed", "snapshot folder unusable"), (Stage(hybrid, "dense").Status, Stage(hybrid, "dense").Detail));
        Assert.Equal(RetrievalMode.Bm25, hybrid.RanMode);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Service(lexical, vectors).SearchAsync(Collection, new SearchQuery { Query = "alpha", Mode = RetrievalMode.Dense }, default));
    }

    [Fact]
    public async Task The_lexical_floor_says_not_found_when_only_common_terms_matched()
    {
        // 10 chunks: "alpha" in 6 (more than half: no evidence), "beta" in none.
        var lexical = new FakeLexicalIndex(Hits((1, 5))) { Statistics = new TermStatistics(10, new Dictionary<string, int> { ["alpha"] = 6 }) };
        var outcome = await Service(lexical).SearchAsync(Collection, new SearchQuery { Query = "alpha beta" }, default);
        Assert.True(outcome.NothingSpecificMatched);
        var floor = Stage(outcome, "floor");
        Assert.Equal(("not found", 0), (floor.Status, floor.Candidates));
        Assert.Equal("too common (in half the chunks or more): alpha (6 of 10 chunks)", floor.Detail);   // no empty "meaningful" list

        // "beta" in 2 of 10 is meaningful.
        lexical.Statistics = new TermStatistics(10, new Dictionary<string, int> { ["alpha"] = 6, ["beta"] = 2 });
        outcome = await Service(lexical).SearchAsync(Collection, new SearchQuery { Query = "alpha beta" }, default);
        Assert.False(outcome.NothingSpecificMatched);
        Assert.Equal(("ok", 1), (Stage(outcome, "floor").Status, Stage(outcome, "floor").Candidates));
        Assert.StartsWith("meaningful (in fewer than half the chunks): beta;", Stage(outcome, "floor").Detail);

        // Two chunks are too few to tell.
        lexical.Statistics = new TermStatistics(2, new Dictionary<string, int>());
        outcome = await Service(lexical).SearchAsync(Collection, new SearchQuery { Query = "alpha" }, default);
        Assert.Equal(("skipped", "2 chunks: too few to tell common terms from specific ones"), (Stage(outcome, "floor").Status, Stage(outcome, "floor").Detail));
        Assert.False(outcome.NothingSpecificMatched);
    }

    [Fact]
    public async Task With_a_reranker_the_floor_does_not_judge()
    {
        var lexical = new FakeLexicalIndex(Hits((1, 5))) { Statistics = new TermStatistics(10, new Dictionary<string, int> { ["alpha"] = 9 }) };
        var outcome = await Service(lexical, reranker: new FakeReranker([])).SearchAsync(Collection, new SearchQuery { Query = "alpha" }, default);
        Assert.False(outcome.NothingSpecificMatched);
        Assert.DoesNotContain(outcome.Stages, s => s.Stage == "floor");
    }

    [Fact]
    public async Task The_highlighter_gets_the_bm25_query_terms_and_each_hit_its_snippet()
    {
        var highlighter = new RecordingHighlighter();
        var lexical = new FakeLexicalIndex(Hits((2, 5), (1, 4)));
        var outcome = await Service(lexical, highlighter: highlighter).SearchAsync(Collection, new SearchQuery { Query = "Alpha beta" }, default);
        Assert.Equal(["alpha", "beta"], highlighter.Terms);
        Assert.Equal(["<c2>", "<c1>"], outcome.Hits.Select(h => h.Provenance.Snippet));
    }

    [Fact]
    public async Task Calibrated_fusion_without_a_calibration_service_falls_back_to_rrf_and_says_so()
    {
        var lexical = new FakeLexicalIndex(Hits((1, 2), (2, 1)));
        var vectors = new FakeVectorIndex(Hits((2, 0.9), (1, 0.1)));
        var outcome = await Service(lexical, vectors, options: NoNeighbours).SearchAsync(Collection, new SearchQuery { Query = "alpha" }, default);
        Assert.Equal("rrf k=60 (not calibrated: no calibration configured)", Stage(outcome, "fusion").Detail);
        // 1 and 2 tie at 1/61 + 1/62: the BM25 list was seen first.
        Assert.Equal([1L, 2], outcome.Hits.Select(h => h.Chunk.ChunkId));
    }

    private sealed class RecordingHighlighter : IHitHighlighter
    {
        public IReadOnlyList<string> Terms { get; private set; } = [];

        public IReadOnlyList<string?> Highlight(string analyzerSignature, IReadOnlyList<string> queryTerms, IReadOnlyList<string> texts)
        {
            Terms = queryTerms;
            return texts.Select(t => $"<{t}>").ToList();
        }
    }
}
