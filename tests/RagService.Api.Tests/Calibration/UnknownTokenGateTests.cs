using System.Text.Json;

namespace RagService.Api.Tests.Calibration;

/// <summary>
/// Rag:Retrieval:Calibration:DenseOffUnknownTokenRate over REST with the real all-MiniLM-L6-v2: when most of a collection's
/// tokens are unknown to the model, dense is off whatever the pseudo-queries say, and the calibration says so; raised to 1,
/// the pseudo-queries decide again.
/// </summary>
public sealed class UnknownTokenGateTests
{
    [Fact]
    public async Task Dense_is_off_when_most_tokens_are_unknown_to_the_model_and_the_reason_cites_the_setting()
    {
        // Independent oracle for the rate: the corpus's Chinese characters looked up in the model's own vocabulary file.
        var vocabulary = File.ReadLines(Path.Combine(RealModelRetrievalTests.RealMiniLmDirectory(), "vocab.txt")).ToHashSet(StringComparer.Ordinal);
        var cjk = CalibrationCorpora.Chinese().SelectMany(d => d.Text).Where(c => c >= '\u4e00' && c <= '\u9fff').ToList();
        Assert.True(cjk.Count(c => !vocabulary.Contains(c.ToString())) > cjk.Count * 0.6);

        var fusion = await CalibratedFusionAsync(CalibrationCorpora.Chinese());
        Assert.Equal(0, fusion.GetProperty("denseWeight").GetDouble());
        Assert.Equal("bm25 only", fusion.GetProperty("method").GetString());
        Assert.Contains("(DenseOffUnknownTokenRate 50 %)", fusion.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_collection_too_small_for_pseudo_queries_still_gets_dense_off_when_the_model_cannot_read_it()
    {
        // 5 chunks, under MinimumChunks (30): no pseudo-queries, yet the unknown-token gate applies, instead of plain RRF.
        var fusion = await CalibratedFusionAsync(CalibrationCorpora.Chinese().Take(5));
        Assert.Equal(0, fusion.GetProperty("denseWeight").GetDouble());
        Assert.Equal("bm25 only", fusion.GetProperty("method").GetString());
        Assert.Contains("too few chunks for pseudo-queries (MinimumChunks 30)", fusion.GetProperty("detail").GetString());
        Assert.Equal(0, fusion.GetProperty("calibration").GetProperty("sampleSize").GetInt32());
    }

    [Fact]
    public async Task A_small_english_collection_keeps_reciprocal_rank_fusion()
    {
        var fusion = await CalibratedFusionAsync(CalibrationCorpora.English().Take(5), expectedState: "not calibrated");
        Assert.Equal("rrf", fusion.GetProperty("method").GetString());
    }

    [Fact]
    public async Task With_the_gate_raised_to_one_the_pseudo_queries_decide()
    {
        var fusion = await CalibratedFusionAsync(CalibrationCorpora.Chinese(), settings: "--Rag:Retrieval:Calibration:DenseOffUnknownTokenRate=1");
        Assert.DoesNotContain("DenseOffUnknownTokenRate", fusion.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_out_of_range_gate_stops_the_start_naming_the_setting()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => ServiceHost.StartAsync("--Rag:Retrieval:Calibration:DenseOffUnknownTokenRate=1.5"));
        Assert.Contains("DenseOffUnknownTokenRate", e.ToString());
    }

    /// <summary>The documents' fusion in collection stats once the background calibration after their upload has run.</summary>
    private static async Task<JsonElement> CalibratedFusionAsync(IEnumerable<(string Id, string Text)> documents, string expectedState = "calibrated", params string[] settings)
    {
        var harness = new CalibrationHarness();
        await using var host = await harness.StartAsync(settings);
        await host.CreateCollectionAsync("kb");
        foreach (var (id, text) in documents)
        {
            await host.IngestAsync("kb", new { id, text });
        }

        return await harness.SettleAsync(host, "kb", expectedState);
    }
}
