using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Calibration;

/// <summary>
/// Calibrated fusion over REST with the real all-MiniLM-L6-v2: a Chinese collection the English model cannot represent
/// gets dense down-weighted or off and its stats say why; an English collection keeps both retrievers. Both are
/// calibrated in the background after ingestion (<see cref="CalibrationHarness.SettleAsync"/>); a changed model is in
/// <see cref="CalibrationTriggerTests"/>.
/// </summary>
public sealed class FusionCalibrationTests : IAsyncLifetime
{
    private readonly CalibrationHarness _harness = new();
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await _harness.StartAsync();
        await _host.CreateCollectionAsync("zh");
        foreach (var (id, text) in CalibrationCorpora.Chinese())
        {
            await _host.IngestAsync("zh", new { id, text });
        }

        await _host.CreateCollectionAsync("en");
        foreach (var (id, text) in CalibrationCorpora.English())
        {
            await _host.IngestAsync("en", new { id, text });
        }

        await _harness.SettleAsync(_host, "zh");
        await _harness.SettleAsync(_host, "en");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_collection_the_model_cannot_represent_gets_dense_down_weighted_or_off_and_stats_say_why()
    {
        // Independent oracle: most of the corpus's Chinese characters are missing from the model's vocabulary.
        var vocabulary = File.ReadLines(Path.Combine(RealModelRetrievalTests.RealMiniLmDirectory(), "vocab.txt")).ToHashSet(StringComparer.Ordinal);
        var cjk = CalibrationCorpora.Chinese().SelectMany(d => d.Text).Where(c => c >= '\u4e00' && c <= '\u9fff').ToList();
        Assert.True(cjk.Count(c => !vocabulary.Contains(c.ToString())) > cjk.Count / 2);

        var search = await _host.SearchAsync("zh", "杭州瓷器博物馆始建于哪一年", topK: 3, mode: "hybrid");
        var fusionStage = Stage(search, "fusion");
        Assert.StartsWith("calibrated", fusionStage.GetProperty("detail").GetString());

        var stats = await StatsAsync(_host, "zh");
        var fusion = stats.GetProperty("fusion");
        Assert.Equal("calibrated", fusion.GetProperty("state").GetString());
        var denseWeight = fusion.GetProperty("denseWeight").GetDouble();
        Assert.True(denseWeight < 0.5, $"dense weight {denseWeight} for a text the model cannot represent");
        var calibration = fusion.GetProperty("calibration");
        Assert.True(calibration.GetProperty("dense").GetProperty("recallAt1").GetDouble() < calibration.GetProperty("bm25").GetProperty("recallAt1").GetDouble());
        Assert.Equal(40, calibration.GetProperty("sampleSize").GetInt32());
        Assert.Equal("all-MiniLM-L6-v2", calibration.GetProperty("modelId").GetString());

        var fit = stats.GetProperty("modelFit");
        Assert.True(fit.GetProperty("unknownTokenRate").GetDouble() > 0.3);
        Assert.Contains("unknown to all-MiniLM-L6-v2", Assert.Single(fit.GetProperty("warnings").EnumerateArray()).GetString());
        if (denseWeight == 0)
        {
            Assert.Equal("off", Stage(search, "dense").GetProperty("status").GetString());
            Assert.Equal("bm25 only", fusion.GetProperty("method").GetString());
            Assert.Contains("unknown to the model", fusion.GetProperty("detail").GetString());
        }

        // /health/ready warns (the service stays ready) and names the collection.
        var ready = await _host.Client.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        var component = ready.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "model-fit");
        Assert.Equal("warning", component.GetProperty("state").GetString());
        Assert.Contains("collection 'zh'", component.GetProperty("detail").GetString());
        Assert.DoesNotContain("collection 'en'", component.GetProperty("detail").GetString());

        // A finished ingestion job of the collection carries the warning too.
        var zip = Sync.TestArchives.Zip(new Dictionary<string, string> { ["extra.md"] = CalibrationCorpora.Chinese()[0].Text });
        var submitted = await _host.Client.PostAsync("/v1/collections/zh/sync", Sync.TestArchives.Body(zip));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var job = await Sync.JobPolling.WaitAsync(_host.Client, jobId);
        Assert.Contains("unknown to all-MiniLM-L6-v2", Assert.Single(job.GetProperty("warnings").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task An_english_collection_keeps_both_retrievers()
    {
        var search = await _host.SearchAsync("en", "how do bees tell each other where flowers are", topK: 3, mode: "hybrid");
        Assert.Equal("ok", Stage(search, "dense").GetProperty("status").GetString());
        Assert.Equal("ok", Stage(search, "fusion").GetProperty("status").GetString());
        Assert.StartsWith("calibrated weighted dense=", Stage(search, "fusion").GetProperty("detail").GetString());
        Assert.Equal("en-00", search.GetProperty("hits")[0].GetProperty("documentId").GetString());

        var stats = await StatsAsync(_host, "en");
        var fusion = stats.GetProperty("fusion");
        Assert.Equal("weighted", fusion.GetProperty("method").GetString());
        Assert.True(fusion.GetProperty("denseWeight").GetDouble() > 0);
        Assert.True(stats.GetProperty("modelFit").GetProperty("unknownTokenRate").GetDouble() < 0.01);
        Assert.Empty(stats.GetProperty("modelFit").GetProperty("warnings").EnumerateArray());
    }

    internal static JsonElement Stage(JsonElement search, string name) =>
        search.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == name);

    private static async Task<JsonElement> StatsAsync(ServiceHost host, string collection) =>
        await host.Client.GetFromJsonAsync<JsonElement>($"/v1/collections/{collection}");
}
