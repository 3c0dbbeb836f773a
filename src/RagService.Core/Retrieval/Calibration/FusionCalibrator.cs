using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Text;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>A sampled chunk as the collection indexes it: its contextual header ("" without headers) and its text.</summary>
public sealed record CalibrationChunk(string Header, string Text);

/// <summary>
/// Chooses a collection's fusion with no labels. Each sampled chunk gives an Inverse Cloze pseudo-query (its middle third)
/// and a held-out passage (the rest, with the chunk's header); BM25 and dense each rank all held-out passages for every
/// pseudo-query, the same two lists are fused with every dense weight from 0 to 1, and the weight with the best mean
/// reciprocal rank wins. Dense is switched off unless its best weight beats BM25 alone by more than the standard error of
/// the paired difference: a gain within noise is not worth the risk (and the cost of embedding every query).
/// </summary>
public sealed class FusionCalibrator(ITextEmbedder embedder, Bm25Parameters bm25, CalibrationOptions options)
{
    public async Task<FusionCalibration?> CalibrateAsync(
        IReadOnlyList<CalibrationChunk> sample, ITextAnalyzer analyzer, int collectionChunks, int candidates, CancellationToken ct)
    {
        var splits = sample.Select(c => (c.Header, Split: InverseClozeSplit.Of(c.Text))).Where(s => s.Split is not null).ToList();
        if (splits.Count < options.MinimumChunks)
        {
            return null;
        }

        var passages = splits.Select(s => s.Header.Length == 0 ? s.Split!.Context : s.Header + "\n" + s.Split!.Context).ToList();
        var queries = splits.Select(s => s.Split!.Query).ToList();
        var lexical = new SampleBm25(splits.Select(s => ((IReadOnlyList<string>)analyzer.Analyze(s.Split!.Context), (IReadOnlyList<string>)analyzer.Analyze(s.Header))).ToList(), bm25);
        var passageVectors = await embedder.EmbedAsync(passages, EmbeddingPurpose.Passage, ct);
        var queryVectors = await embedder.EmbedAsync(queries, EmbeddingPurpose.Query, ct);

        var lists = new List<(List<(long, double)> Bm25, List<(long, double)> Dense)>(queries.Count);
        for (var q = 0; q < queries.Count; q++)
        {
            var lexicalScores = lexical.Score(analyzer.AnalyzeQuery(queries[q]));
            var denseScores = passageVectors.Select(p => Dot(p, queryVectors[q])).ToArray();
            lists.Add((Top(lexicalScores, candidates, positiveOnly: true), Top(denseScores, candidates, positiveOnly: false)));
        }

        var steps = (int)Math.Round(1 / options.WeightStep);
        var reciprocal = new double[steps + 1][];
        for (var s = 0; s <= steps; s++)
        {
            var weight = (double)s / steps;
            reciprocal[s] = lists.Select((l, q) => ReciprocalRank(WeightedScoreFusion.Fuse(l.Bm25, l.Dense, weight), q)).ToArray();
        }

        var best = Enumerable.Range(0, steps + 1).MaxBy(s => reciprocal[s].Average());
        var gain = Difference(reciprocal[best], reciprocal[0]);
        var denseOn = best > 0 && gain.Mean > gain.StandardError;
        var chosen = denseOn ? best : 0;
        var fit = embedder.MeasureFit(sample.Select(ChunkSample.Embedded).ToList());
        var bm25Alone = Recall(lists.Select((l, q) => ReciprocalRank(l.Bm25, q)));
        var denseAlone = Recall(lists.Select((l, q) => ReciprocalRank(l.Dense, q)));
        var reason = denseOn
            ? FormattableString.Invariant($"dense weight {(double)chosen / steps:0.00} has the best pseudo-query MRR ({reciprocal[chosen].Average():0.000}; bm25 alone {bm25Alone.Mrr:0.000}, dense alone {denseAlone.Mrr:0.000})")
            : FormattableString.Invariant($"dense off: no dense weight beats bm25 alone on the pseudo-queries beyond noise (best weight {(double)best / steps:0.00}, MRR gain {gain.Mean:0.000}, standard error {gain.StandardError:0.000}; dense alone MRR {denseAlone.Mrr:0.000}, bm25 alone {bm25Alone.Mrr:0.000})");
        if (fit is { } f && !denseOn)
        {
            reason += FormattableString.Invariant($"; {f.UnknownTokenRate:P1} of the tokens are unknown to the model, {f.TruncationRate:P1} of the chunks truncated");
        }

        return new FusionCalibration((double)chosen / steps, bm25Alone, denseAlone, Recall(reciprocal[chosen]), splits.Count, collectionChunks,
            embedder.ModelId, embedder.Dimension, DateTimeOffset.UtcNow, reason, fit);
    }

    private static List<(long, double)> Top(double[] scores, int limit, bool positiveOnly) =>
        scores.Select((s, i) => ((long)i, s)).Where(x => !positiveOnly || x.s > 0).OrderByDescending(x => x.s).ThenBy(x => x.Item1).Take(limit).ToList();

    private static double ReciprocalRank(IReadOnlyList<(long Id, double Score)> ranked, int target)
    {
        for (var r = 0; r < ranked.Count; r++)
        {
            if (ranked[r].Id == target)
            {
                return 1.0 / (r + 1);
            }
        }

        return 0;
    }

    private static PseudoQueryRecall Recall(IEnumerable<double> reciprocalRanks)
    {
        var rr = reciprocalRanks.ToList();
        return new PseudoQueryRecall(rr.Count(x => x >= 1) / (double)rr.Count, rr.Count(x => x >= 0.1) / (double)rr.Count, rr.Average());
    }

    private static (double Mean, double StandardError) Difference(double[] a, double[] b)
    {
        var d = a.Select((x, i) => x - b[i]).ToArray();
        var mean = d.Average();
        var variance = d.Length < 2 ? 0 : d.Sum(x => (x - mean) * (x - mean)) / (d.Length - 1);
        return (mean, Math.Sqrt(variance / d.Length));
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
