using System.Net.Http.Json;
using System.Text.Json;
using RagService.Core.Retrieval.Calibration;
using RagService.Tests.Shared;

namespace RagService.Api.Tests.Calibration;

/// <summary>
/// Two replicas (two service hosts with the real all-MiniLM-L6-v2 on one PostgreSQL database) both asked to calibrate
/// one collection: the calibration runs once, under the cluster lock, and both then search with its stored result.
/// Each replica's schedule clock and calibration gate are the test's (<see cref="CalibrationHarness"/>).
/// </summary>
public sealed class ClusterCalibrationTests
{
    [SkippableFact]
    public async Task Two_replicas_asked_to_calibrate_one_collection_at_once_calibrate_it_once_and_both_use_the_result()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        using var database = new PostgresTestDatabase();
        string[] store = ["--Rag:Store=postgres", $"--Rag:Postgres:ConnectionString={database.ConnectionString}", "--Rag:Postgres:MaxPoolSize=10"];
        var first = new CalibrationHarness();
        var second = new CalibrationHarness();
        await using var a = await first.StartAsync(store);
        await using var b = await second.StartAsync(store);
        await a.CreateCollectionAsync("en");
        foreach (var (id, text) in CalibrationCorpora.English())
        {
            await a.IngestAsync("en", new { id, text });
        }

        // A calibrates and is held at the gate, inside the collection's cluster lock.
        first.Hold();
        await first.AdvanceUntilHeldAsync();
        Assert.Equal("calibrating", (await CalibrationHarness.FusionAsync(a, "en")).GetProperty("state").GetString());

        // B is asked too (its hybrid search finds no calibration) and its worker runs while A holds the lock: it leaves it to A.
        await HybridSearchAsync(b);
        Assert.Equal("scheduled", (await CalibrationHarness.FusionAsync(b, "en")).GetProperty("state").GetString());
        var debounce = new CalibrationOptions().DebounceDelay;
        await CalibrationHarness.WaitForStateAsync(b, "en", "not calibrated", () => second.Clock.Advance(debounce));
        Assert.Equal(0, second.Runs);

        first.Release();
        var onA = await CalibrationHarness.WaitForStateAsync(a, "en", "calibrated");

        // B's next hybrid search asks again; its worker finds A's stored calibration current and takes it without calibrating.
        await HybridSearchAsync(b);
        var onB = await second.SettleAsync(b, "en");
        Assert.Equal((1, 0), (first.Runs, second.Runs));
        Assert.Equal(onA.GetProperty("calibration").GetRawText(), onB.GetProperty("calibration").GetRawText());
    }

    private static async Task HybridSearchAsync(ServiceHost host)
    {
        using var response = await host.Client.PostAsJsonAsync("/v1/collections/en/search", new { query = "how do bees tell each other where flowers are", mode = "hybrid" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("hybrid", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mode").GetString());
    }
}
