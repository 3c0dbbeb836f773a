using System.Diagnostics;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval.Stages;

/// <summary>
/// Merges the retrievers' lists into one ranking ("fusion"): calibrated or fixed-weight score fusion, or reciprocal-rank
/// fusion; with one retriever its list is the ranking. Records each candidate's rank and score per retriever.
/// </summary>
public sealed class FusionStage(RetrievalOptions options) : ISearchStage
{
    public string Name => "fusion";

    public Task<StageResult?> RunAsync(SearchContext context)
    {
        var watch = Stopwatch.StartNew();
        IReadOnlyList<ScoredChunk> lexical = context.LexicalHits ?? [];
        IReadOnlyList<ScoredChunk> dense = context.DenseHits ?? [];
        RecordRetrieverRanks(context, lexical, dense);
        if (context.LexicalHits is null || context.DenseHits is null)
        {
            context.Ranked = (lexical.Count > 0 ? lexical : dense).Select(h => (h.ChunkId, h.Score)).ToList();
            var why = context.Calibration?.Calibration?.DenseOff == true ? context.Calibration.DescribeInUse() : "one retriever";
            return Task.FromResult<StageResult?>(StageResult.Skipped(why, context.Ranked.Count) with { Milliseconds = context.CalibrationMilliseconds });
        }

        var (weighted, denseWeight, how) = FusionOf(context.Query, context.Calibration);
        context.Ranked = (weighted
            ? WeightedScoreFusion.Fuse(lexical.Select(h => (h.ChunkId, h.Score)).ToList(), dense.Select(h => (h.ChunkId, h.Score)).ToList(), denseWeight)
            : ReciprocalRankFusion.Fuse([lexical.Select(h => h.ChunkId).ToList(), dense.Select(h => h.ChunkId).ToList()], options.RrfK)).ToList();
        foreach (var (id, score) in context.Ranked)
        {
            context.Provenance[id] = context.Provenance[id] with { FusionScore = score };
        }

        context.Fused = true;
        var milliseconds = watch.Elapsed.TotalMilliseconds + context.CalibrationMilliseconds;
        return Task.FromResult<StageResult?>(StageResult.Ok(context.Ranked.Count, how) with { Milliseconds = milliseconds });
    }

    private static void RecordRetrieverRanks(SearchContext context, IReadOnlyList<ScoredChunk> lexical, IReadOnlyList<ScoredChunk> dense)
    {
        for (var i = 0; i < lexical.Count; i++)
        {
            context.Provenance[lexical[i].ChunkId] = new HitProvenance(i + 1, lexical[i].Score, null, null, null, null);
        }

        for (var i = 0; i < dense.Count; i++)
        {
            var p = context.Provenance.GetValueOrDefault(dense[i].ChunkId) ?? new HitProvenance(null, null, null, null, null, null);
            context.Provenance[dense[i].ChunkId] = p with { DenseRank = i + 1, DenseScore = dense[i].Score };
        }
    }

    /// <summary>Weighted or reciprocal-rank fusion, the dense weight, and the fusion stage's detail.</summary>
    private (bool Weighted, double DenseWeight, string Detail) FusionOf(SearchQuery query, CalibrationState? state) => query.Fusion switch
    {
        FusionMethod.Weighted => (true, options.DenseWeight, FormattableString.Invariant($"weighted dense={options.DenseWeight}")),
        FusionMethod.Calibrated when state?.Calibration is { } calibrated => (true, calibrated.DenseWeight, state.DescribeInUse()),
        FusionMethod.Calibrated => (false, 0, FormattableString.Invariant(
            $"rrf k={options.RrfK} ({(state is null ? "not calibrated: no calibration configured" : state.NotCalibrated)})")),
        _ => (false, 0, FormattableString.Invariant($"rrf k={options.RrfK}")),
    };
}
