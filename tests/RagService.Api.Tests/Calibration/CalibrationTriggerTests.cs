using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Tests.Sync;

namespace RagService.Api.Tests.Calibration;

/// <summary>
/// When calibration runs, over REST with the real all-MiniLM-L6-v2: after ingestion, in the background, debounced (a
/// burst of uploads is calibrated once, after it), at start when the model changed, and never inside a search. The
/// schedule's clock and a gate before each calibration are the test's (<see cref="CalibrationHarness"/>).
/// </summary>
public sealed class CalibrationTriggerTests
{
    private const string BeeQuestion = "how do bees tell each other where flowers are";

    [Fact]
    public async Task Uploads_and_a_sync_job_are_each_calibrated_once_after_their_writes_without_any_search()
    {
        var harness = new CalibrationHarness();
        await using var host = await harness.StartAsync();
        await host.CreateCollectionAsync("en");
        var english = CalibrationCorpora.English();
        foreach (var (id, text) in english)
        {
            await host.IngestAsync("en", new { id, text });
        }

        await host.CreateCollectionAsync("zh");
        var zip = TestArchives.Zip(CalibrationCorpora.Chinese().ToDictionary(d => d.Id + ".md", d => d.Text));
        var submitted = await host.Client.PostAsync("/v1/collections/zh/sync", TestArchives.Body(zip));
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        await JobPolling.WaitAsync(host.Client, (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);

        // Every upload and the finished job asked for a calibration; the clock has not moved, so none is due yet.
        Assert.Equal(0, harness.Runs);
        foreach (var collection in new[] { "en", "zh" })
        {
            var pending = await CalibrationHarness.FusionAsync(host, collection);
            Assert.Equal("scheduled", pending.GetProperty("state").GetString());
            Assert.Equal("rrf", pending.GetProperty("method").GetString());
        }

        foreach (var collection in new[] { "en", "zh" })
        {
            var fusion = await harness.SettleAsync(host, collection);
            var stats = await host.Client.GetFromJsonAsync<JsonElement>($"/v1/collections/{collection}");
            Assert.Equal(stats.GetProperty("chunks").GetInt32(), fusion.GetProperty("calibration").GetProperty("chunks").GetInt32());
            Assert.Equal("all-MiniLM-L6-v2", fusion.GetProperty("calibration").GetProperty("modelId").GetString());
        }

        // 40 uploads in a row and one sync job: one calibration each.
        Assert.Equal(2, harness.Runs);
        Assert.True(harness.Runs < english.Count);
    }

    [Fact]
    public async Task A_search_while_calibration_runs_answers_at_once_with_rrf_then_with_the_stale_calibration()
    {
        var harness = new CalibrationHarness();
        await using var host = await harness.StartAsync();
        await host.CreateCollectionAsync("en");
        harness.Hold();
        foreach (var (id, text) in CalibrationCorpora.English())
        {
            await host.IngestAsync("en", new { id, text });
        }

        await harness.AdvanceUntilHeldAsync();
        var running = await CalibrationHarness.FusionAsync(host, "en");
        Assert.Equal("calibrating", running.GetProperty("state").GetString());
        Assert.Equal("rrf", running.GetProperty("method").GetString());
        var search = await SearchNotWaitingAsync(host);
        Assert.Equal("ok", FusionCalibrationTests.Stage(search, "fusion").GetProperty("status").GetString());
        Assert.Equal("rrf k=60 (not calibrated yet: calibration running)", FusionCalibrationTests.Stage(search, "fusion").GetProperty("detail").GetString());

        harness.Release();
        await harness.SettleAsync(host, "en");
        Assert.StartsWith("calibrated ", FusionDetail(await SearchNotWaitingAsync(host)));

        // Twelve more documents: 52 chunks, 30 % more than the 40 calibrated (RecalibrateAfterChange is 25 %).
        harness.Hold();
        foreach (var (id, text) in CalibrationCorpora.Chinese().Take(12))
        {
            await host.IngestAsync("en", new { id, text });
        }

        var scheduled = await CalibrationHarness.FusionAsync(host, "en");
        Assert.Equal("scheduled", scheduled.GetProperty("state").GetString());
        const string stale = "collection changed: 40 chunks when calibrated, 52 now (more than RecalibrateAfterChange 25 %)";
        Assert.Equal(stale, scheduled.GetProperty("stale").GetString());
        Assert.NotEqual("rrf", scheduled.GetProperty("method").GetString());
        var detail = FusionDetail(await SearchNotWaitingAsync(host));
        Assert.StartsWith("calibrated ", detail);
        Assert.EndsWith($"; stale: {stale}; recalibration scheduled", detail);

        await harness.AdvanceUntilHeldAsync();
        Assert.Equal("calibrating", (await CalibrationHarness.FusionAsync(host, "en")).GetProperty("state").GetString());
        detail = FusionDetail(await SearchNotWaitingAsync(host));
        Assert.StartsWith("calibrated ", detail);
        Assert.EndsWith($"; stale: {stale}; recalibrating", detail);

        harness.Release();
        var after = await harness.SettleAsync(host, "en");
        Assert.Equal(52, after.GetProperty("calibration").GetProperty("chunks").GetInt32());
        Assert.Equal(2, harness.Runs);

        // Deletes count too: 14 fewer is 27 % less than the 52 calibrated.
        foreach (var (id, _) in CalibrationCorpora.English().Take(14))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/v1/collections/en/documents/{id}")).StatusCode);
        }

        var shrunk = await CalibrationHarness.FusionAsync(host, "en");
        Assert.Equal("scheduled", shrunk.GetProperty("state").GetString());
        Assert.StartsWith("collection changed: 52 chunks when calibrated, 38 now", shrunk.GetProperty("stale").GetString());
    }

    [Fact]
    public async Task A_failed_calibration_is_retried_when_a_search_finds_none_scheduled()
    {
        var harness = new CalibrationHarness();
        harness.Fail(1);
        await using var host = await harness.StartAsync();
        await host.CreateCollectionAsync("en");
        foreach (var (id, text) in CalibrationCorpora.English())
        {
            await host.IngestAsync("en", new { id, text });
        }

        // The one calibration the uploads asked for fails: nothing is stored and nothing is scheduled.
        await harness.SettleAsync(host, "en", "not calibrated");
        Assert.Equal(1, harness.Runs);

        // A hybrid search answers with RRF and schedules it again.
        Assert.StartsWith("rrf k=60 (not calibrated", FusionDetail(await SearchNotWaitingAsync(host)));
        Assert.Equal("scheduled", (await CalibrationHarness.FusionAsync(host, "en")).GetProperty("state").GetString());
        await harness.SettleAsync(host, "en");
        Assert.Equal(2, harness.Runs);
    }

    [Fact]
    public async Task A_model_change_at_start_is_recalibrated_without_any_search()
    {
        // Its own database: the first service stops before the second starts on it with another model id (the same
        // weights: what a swapped model looks like to the service).
        var directory = Path.Combine(Path.GetTempPath(), "ragsvc-recalibrate-" + Guid.NewGuid().ToString("N")[..12]);
        var database = $"--Rag:DatabasePath={Path.Combine(directory, "rag.db")}";
        try
        {
            string calibratedAt;
            var first = new CalibrationHarness();
            await using (var host = await first.StartAsync(database))
            {
                await host.CreateCollectionAsync("en");
                foreach (var (id, text) in CalibrationCorpora.English())
                {
                    await host.IngestAsync("en", new { id, text });
                }

                calibratedAt = (await first.SettleAsync(host, "en")).GetProperty("calibration").GetProperty("calibratedAt").GetString()!;
            }

            var second = new CalibrationHarness();
            second.Hold();
            await using var restarted = await second.StartAsync(database, "--Rag:Embedding:ModelId=minilm-swapped");

            // The start-up check found the stored calibration (it survived the restart) stale and scheduled it.
            var scheduled = await CalibrationHarness.WaitForStateAsync(restarted, "en", "scheduled");
            Assert.StartsWith("embedding model changed: calibrated with all-MiniLM-L6-v2", scheduled.GetProperty("stale").GetString());
            Assert.Equal(calibratedAt, scheduled.GetProperty("calibration").GetProperty("calibratedAt").GetString());

            await second.AdvanceUntilHeldAsync();
            Assert.Equal("calibrating", (await CalibrationHarness.FusionAsync(restarted, "en")).GetProperty("state").GetString());
            second.Release();
            var after = await second.SettleAsync(restarted, "en");
            Assert.Equal("minilm-swapped", after.GetProperty("calibration").GetProperty("modelId").GetString());
            Assert.Equal(1, second.Runs);
        }
        finally
        {
            SqliteStorePool.Release(Path.Combine(directory, "rag.db"));
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A hybrid search that must answer while a calibration may be held at the gate; the bound only stops a hung test.</summary>
    private static async Task<JsonElement> SearchNotWaitingAsync(ServiceHost host)
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var response = await host.Client.PostAsJsonAsync("/v1/collections/en/search", new { query = BeeQuestion, mode = "hybrid" }, hang.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(hang.Token);
    }

    private static string FusionDetail(JsonElement search) => FusionCalibrationTests.Stage(search, "fusion").GetProperty("detail").GetString()!;
}
