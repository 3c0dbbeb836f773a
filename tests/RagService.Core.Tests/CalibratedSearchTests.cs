using RagService.Core.Models;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Tests.Fakes;
using static RagService.Core.Tests.Fakes.FourChunkSearchFixture;

namespace RagService.Core.Tests;

/// <summary>
/// A calibrated hybrid search over the <see cref="FourChunkSearchFixture"/> (BM25 answers 1 (9), 2 (5), 3 (1); dense answers
/// 3 (0.9), 1 (0.8), 4 (0.7)), with a calibration service holding a stored calibration: dense off by calibration, a calibrated
/// weight, none yet, and a search that does not ask for calibration.
/// </summary>
public sealed class CalibratedSearchTests
{
    private static readonly PseudoQueryRecall None = new(0, 0, 0);

    private readonly FourChunkSearchFixture _search = new();
    private readonly InMemoryFusionCalibrationStore _calibrations = new();
    private readonly FakeEmbedder _embedder = new();

    /// <summary>A calibration of this collection as it is (4 chunks, the fake model), so it is not stale.</summary>
    private Task StoreCalibrationAsync(double denseWeight, string reason) => _calibrations.PutAsync(Collection.Id,
        new FusionCalibration(denseWeight, None, None, None, SampleSize: 0, Chunks: 4, "fake-model", 3, DateTimeOffset.UnixEpoch, reason), default);

    private Task<SearchOutcome> SearchAsync(FusionMethod fusion = FusionMethod.Calibrated)
    {
        var calibration = new FusionCalibrationService(_search.Store, new FakeIndexSource(_search.Store), _calibrations, _search.Analyzers, _embedder);
        return _search.Compose(_embedder, calibration)
            .SearchAsync(Collection, new SearchQuery { Query = "alpha", TopK = 3, Mode = RetrievalMode.Hybrid, Fusion = fusion }, default);
    }

    private static StageReport Stage(SearchOutcome outcome, string name) => outcome.Stages.Single(s => s.Stage == name);

    [Fact]
    public async Task A_dense_off_calibration_skips_dense_retrieval_and_says_why()
    {
        await StoreCalibrationAsync(0, "dense off: the model knows too few of the collection's tokens");

        var outcome = await SearchAsync();

        Assert.Equal(("off", "off for this collection by calibration: dense off: the model knows too few of the collection's tokens"),
            (Stage(outcome, "dense").Status, Stage(outcome, "dense").Detail));
        Assert.Equal(("skipped", "calibrated dense off: the model knows too few of the collection's tokens"),
            (Stage(outcome, "fusion").Status, Stage(outcome, "fusion").Detail));
        Assert.DoesNotContain(_embedder.Calls, c => c.Purpose == EmbeddingPurpose.Query);
        Assert.Equal([1L, 2, 3], outcome.Hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public async Task A_calibrated_weight_fuses_the_normalised_scores_with_that_weight()
    {
        await StoreCalibrationAsync(0.4, "weighted by pseudo-queries");

        var outcome = await SearchAsync();

        // Min-max: bm25 9, 5, 1 → 1, 0.5, 0; dense 0.9, 0.8, 0.7 → 1, 0.5, 0. Fused 0.6·bm25 + 0.4·dense:
        // 1 → 0.6 + 0.2 = 0.8; 3 → 0 + 0.4 = 0.4; 2 → 0.3; 4 → 0.
        Assert.Equal(("ok", "calibrated weighted by pseudo-queries"), (Stage(outcome, "fusion").Status, Stage(outcome, "fusion").Detail));
        Assert.Equal([1L, 3, 2], outcome.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([0.8, 0.4, 0.3], outcome.Hits.Select(h => Math.Round(h.Provenance.FusionScore!.Value, 9)));
    }

    [Fact]
    public async Task Without_a_calibration_yet_it_fuses_by_reciprocal_rank_and_says_why()
    {
        var outcome = await SearchAsync();

        Assert.Equal("rrf k=60 (not calibrated: too few chunks to sample pseudo-queries from)", Stage(outcome, "fusion").Detail);
        // RRF, not weighted fusion at weight 0: 1 → 1/61 + 1/62, 3 → 1/63 + 1/61, 2 → 1/62.
        Assert.Equal([1L, 3, 2], outcome.Hits.Select(h => h.Chunk.ChunkId));
        Assert.Equal([1.0 / 61 + 1.0 / 62, 1.0 / 63 + 1.0 / 61, 1.0 / 62], outcome.Hits.Select(h => h.Provenance.FusionScore!.Value));
    }

    [Fact]
    public async Task A_search_with_fixed_fusion_does_not_read_the_calibration()
    {
        await StoreCalibrationAsync(0, "dense off");

        var outcome = await SearchAsync(FusionMethod.Rrf);

        Assert.Equal("ok", Stage(outcome, "dense").Status);
        Assert.Equal(("ok", "rrf k=60"), (Stage(outcome, "fusion").Status, Stage(outcome, "fusion").Detail));
        Assert.Equal([1L, 3, 2], outcome.Hits.Select(h => h.Chunk.ChunkId));
    }
}
