using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Tests.Fakes;
using RagService.Core.Text;

namespace RagService.Core.Tests;

/// <summary>
/// The calibrator on samples built so that one retriever is perfect and the other can only tie, where every recall and
/// the chosen weight follow by hand. Ten chunks, so a retriever that ties ranks query q's target at q + 1 (ties by id):
/// R@1 = 1/10, R@10 = 1, MRR = H(10)/10.
/// </summary>
public sealed class FusionCalibratorTests
{
    private const double TiedMrr = 7381.0 / 2520 / 10; // H(10) = 7381/2520
    private static readonly CalibrationOptions Options = new() { MinimumChunks = 10 };
    private static readonly MixedScriptAnalyzer Analyzer = new();

    /// <summary>"word" with the letters set by the bits of i upper-cased: the analyzer lower-cases it, the fake embedder does not.</summary>
    private static string Variant(int i) => string.Concat("word".Select((c, k) => (i >> k & 1) == 1 ? char.ToUpperInvariant(c) : c));

    /// <summary>One-hot of the case pattern of the text's first word.</summary>
    private static float[] CasePattern(string text)
    {
        var word = text.TrimStart()[..4];
        var vector = new float[16];
        vector[Enumerable.Range(0, 4).Sum(k => char.IsUpper(word[k]) ? 1 << k : 0)] = 1;
        return vector;
    }

    private static IReadOnlyList<CalibrationChunk> Sample(Func<int, string> word, int count = 10, int words = 9) =>
        Enumerable.Range(0, count).Select(i => new CalibrationChunk("", string.Join(' ', Enumerable.Repeat(word(i), words)))).ToList();

    private static Task<FusionCalibration?> Calibrate(FakeEmbedder embedder, IReadOnlyList<CalibrationChunk> sample, int candidates = 100) =>
        new FusionCalibrator(embedder, new Bm25Parameters(), Options).CalibrateAsync(sample, Analyzer, collectionChunks: 40, candidates, default);

    [Fact]
    public async Task Dense_is_off_when_bm25_alone_finds_every_target_and_dense_only_ties()
    {
        // Chunk i repeats a word of its own: the pseudo-query's word is in its target only. Every vector is the same.
        var embedder = new FakeEmbedder { Embed = (_, _) => [1, 0, 0] };
        var calibration = (await Calibrate(embedder, Sample(i => "alpha" + (char)('a' + i))))!;

        Assert.Equal(0, calibration.DenseWeight);
        Assert.True(calibration.DenseOff);
        Assert.Equal(new PseudoQueryRecall(1, 1, 1), calibration.Bm25);
        Assert.Equal(0.1, calibration.Dense.RecallAt1, 12);
        Assert.Equal(1, calibration.Dense.RecallAt10, 12);
        Assert.Equal(TiedMrr, calibration.Dense.Mrr, 12);
        Assert.Equal(new PseudoQueryRecall(1, 1, 1), calibration.Fused);
        Assert.Equal((10, 40, "fake-model", 3), (calibration.SampleSize, calibration.Chunks, calibration.ModelId, calibration.ModelDimension));
        Assert.StartsWith("dense off: no dense weight beats bm25 alone on the pseudo-queries beyond noise (best weight 0.00, MRR gain 0.000", calibration.Reason);
        // Queries embedded as queries (the middle third: three words), each target version as passages.
        Assert.Equal([EmbeddingPurpose.Query, EmbeddingPurpose.Passage, EmbeddingPurpose.Passage], embedder.Calls.Select(c => c.Purpose));
        Assert.Equal("alphaa alphaa alphaa", embedder.Calls[0].Texts[0]);
        Assert.Equal("alphab alphab alphab alphab alphab alphab", embedder.Calls[1].Texts[1]);
        Assert.Equal("alphab alphab alphab alphab alphab alphab alphab alphab", embedder.Calls[2].Texts[1]); // units 4 and 6 of the span kept
    }

    [Fact]
    public async Task The_least_dense_weight_within_noise_of_the_best_is_chosen_when_only_dense_tells_chunks_apart()
    {
        // Every chunk is "word" nine times, told apart only by its letter case. BM25 ties (R@1 1/10); dense finds every
        // target. Any weight > 0 puts the target first (1 against 1 − w), weight 0 ties: per query the MRR gain of weight
        // 0.05 over 0 is 1 − 1/(q+1), mean 0.707, standard error 0.088, so 0 is not within noise and 0.05 is chosen.
        var embedder = new FakeEmbedder(dimension: 16) { Embed = (text, _) => CasePattern(text) };
        var calibration = (await Calibrate(embedder, Sample(Variant)))!;

        Assert.Equal(0.05, calibration.DenseWeight, 12);
        Assert.Equal(0.1, calibration.Bm25.RecallAt1, 12);
        Assert.Equal(TiedMrr, calibration.Bm25.Mrr, 12);
        Assert.Equal(new PseudoQueryRecall(1, 1, 1), calibration.Dense);
        Assert.Equal(new PseudoQueryRecall(1, 1, 1), calibration.Fused);
        Assert.StartsWith("dense weight 0.05: the least dense weight within one standard error of the best pseudo-query MRR (best 1.000 at 0.05", calibration.Reason);
        Assert.Equal(FormattableString.Invariant(
            $"calibrated weighted dense=0.05: pseudo-query R@1 bm25 0.100, dense 1.000, fused 1.000 (n=10, {calibration.CalibratedAt:yyyy-MM-dd}, fake-model)"), calibration.Describe());
    }

    [Fact]
    public async Task Dense_is_off_whatever_the_pseudo_queries_say_when_the_model_does_not_know_most_tokens()
    {
        var fit = new ModelFit(10, 100, 60, 0, 256);
        var embedder = new FakeEmbedder(dimension: 16) { Embed = (text, _) => CasePattern(text), Fit = fit };
        var calibration = (await Calibrate(embedder, Sample(Variant)))!;

        Assert.Equal(0, calibration.DenseWeight);
        Assert.Equal(new PseudoQueryRecall(1, 1, 1), calibration.Dense);
        Assert.StartsWith("dense off: 60.0", calibration.Reason);
        Assert.Contains("of the sampled tokens are unknown to the model", calibration.Reason);
        Assert.Same(fit, calibration.ModelFit);

        // Just below the rate the pseudo-queries decide.
        embedder.Fit = new ModelFit(10, 100, 49, 0, 256);
        Assert.Equal(0.05, (await Calibrate(embedder, Sample(Variant)))!.DenseWeight, 12);
        embedder.Fit = new ModelFit(10, 100, 50, 0, 256);
        Assert.Equal(0, (await Calibrate(embedder, Sample(Variant)))!.DenseWeight);
    }

    [Fact]
    public async Task Dense_off_by_noise_names_the_models_fit()
    {
        var embedder = new FakeEmbedder { Embed = (_, _) => [1, 0, 0], Fit = new ModelFit(10, 200, 2, 1, 256) };
        var calibration = (await Calibrate(embedder, Sample(i => "alpha" + (char)('a' + i))))!;
        Assert.Contains("beyond noise", calibration.Reason);
        Assert.Contains("of the tokens are unknown to the model", calibration.Reason);
        Assert.Contains("of the chunks truncated", calibration.Reason);
    }

    [Fact]
    public async Task Too_few_pseudo_queries_give_rrf_unless_the_model_cannot_read_the_text()
    {
        // Nine chunks (MinimumChunks 10), or ten of eight words (no split): no pseudo-queries.
        var embedder = new FakeEmbedder();
        Assert.Null(await Calibrate(embedder, Sample(Variant, count: 9)));
        Assert.Null(await Calibrate(embedder, Sample(Variant, words: 8)));
        Assert.Null(await Calibrate(embedder, []));
        embedder.Fit = new ModelFit(9, 100, 49, 0, 256);
        Assert.Null(await Calibrate(embedder, Sample(Variant, count: 9)));

        embedder.Fit = new ModelFit(9, 100, 69, 0, 256);
        var calibration = (await Calibrate(embedder, Sample(Variant, count: 9)))!;
        Assert.Equal((0.0, 0, 40), (calibration.DenseWeight, calibration.SampleSize, calibration.Chunks));
        Assert.Equal(new PseudoQueryRecall(0, 0, 0), calibration.Bm25);
        Assert.StartsWith("dense off: 69.0", calibration.Reason);
        Assert.EndsWith("too few chunks for pseudo-queries (MinimumChunks 10)", calibration.Reason);
        Assert.Contains("of the collection's 9 chunks are unknown to the model", calibration.Reason);
        Assert.Equal("calibrated " + calibration.Reason, calibration.Describe());
        // No pseudo-query was embedded.
        Assert.Empty(embedder.Calls);
    }

    [Fact]
    public async Task Bm25_ranks_only_passages_sharing_a_query_term()
    {
        // Chunk i: "common ×3, uniq<i> ×3, common ×3". The pseudo-query is the uniq<i> third: the held-out target has none of
        // it (BM25 ranks nothing: reciprocal rank 0), the overlapping one keeps two (rank 1). Dense ties everywhere.
        var embedder = new FakeEmbedder { Embed = (_, _) => [1, 0, 0] };
        var sample = Enumerable.Range(0, 10).Select(i =>
        {
            var unique = "uniq" + (char)('a' + i);
            return new CalibrationChunk("", $"common common common {unique} {unique} {unique} common common common");
        }).ToList();
        var calibration = (await Calibrate(embedder, sample))!;

        Assert.Equal(new PseudoQueryRecall(0.5, 0.5, 0.5), calibration.Bm25);
        Assert.Equal(0.1, calibration.Dense.RecallAt1, 12);
        Assert.Equal(TiedMrr, calibration.Dense.Mrr, 12);
    }

    [Fact]
    public async Task Each_retrievers_list_stops_at_the_candidate_count()
    {
        // BM25 ties, so query q's target is at rank q + 1: with 5 candidates targets 5..9 are not ranked at all.
        var embedder = new FakeEmbedder(dimension: 16) { Embed = (text, _) => CasePattern(text) };
        var calibration = (await Calibrate(embedder, Sample(Variant), candidates: 5))!;

        Assert.Equal(0.1, calibration.Bm25.RecallAt1, 12);
        Assert.Equal(0.5, calibration.Bm25.RecallAt10, 12);
        Assert.Equal(137.0 / 60 / 10, calibration.Bm25.Mrr, 12); // H(5) / 10
        Assert.Equal(new PseudoQueryRecall(1, 1, 1), calibration.Dense);
    }

    [Fact]
    public async Task Too_few_chunks_and_exactly_the_unknown_token_rate_turn_dense_off()
    {
        var embedder = new FakeEmbedder { Fit = new ModelFit(9, 100, 50, 0, 256) };
        var calibration = await Calibrate(embedder, Sample(Variant, count: 9));
        Assert.NotNull(calibration);
        Assert.Equal(0, calibration.DenseWeight);
    }

    [Fact]
    public async Task A_dense_weight_chosen_by_the_pseudo_queries_does_not_append_the_models_fit()
    {
        var embedder = new FakeEmbedder(dimension: 16) { Embed = (text, _) => CasePattern(text), Fit = new ModelFit(10, 100, 10, 1, 256) };
        var calibration = (await Calibrate(embedder, Sample(Variant)))!;
        Assert.Equal(0.05, calibration.DenseWeight, 12);
        Assert.DoesNotContain("truncated", calibration.Reason);
    }
}
