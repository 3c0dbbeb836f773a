using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Sync;

/// <summary>
/// A sync beyond the synchronous limit runs as a job: searches keep answering meanwhile, and a full queue refuses more work.
/// The collection asks the LLM (a local fake endpoint) for chunk contexts, and the fake holds the first request about
/// document <see cref="HeldAt"/>: documents are written in order, so once the ones before it are (the job reads ahead, so
/// the test waits for them), the job is provably running mid-folder while the test acts.
/// </summary>
public sealed class LargeSyncTests : IAsyncLifetime
{
    private const int Documents = 40;
    private const int HeldAt = 20;
    private FakeLlmServer _llm = null!;
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _llm = await FakeLlmServer.StartAsync();
        _host = await ServiceHost.StartAsync("--Rag:Sync:MaxQueuedJobs=1", $"--Llm:Url={_llm.Url}", "--Llm:MaxRetries=0");
        await _host.CreateCollectionAsync("kb", new { name = "kb", llmContext = true });
        await _host.IngestAsync("kb", new { id = "faq", text = "The delivery fee is waived for orders above 80 yuan." });
    }

    public async Task DisposeAsync()
    {
        _llm.ReleaseHeld();
        await _host.DisposeAsync();
        await _llm.DisposeAsync();
    }

    [Fact]
    public async Task Large_sync_is_a_job_searches_keep_answering_and_a_full_queue_gets_429_with_retry_after()
    {
        _llm.HoldWhenAsked = $"in manual {HeldAt} (revone)";
        var accepted = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(SyntheticFolder.Create(Documents, "revone"))));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/jobs/{id}", accepted.Headers.Location?.OriginalString);
        Assert.Equal(Documents, job.GetProperty("progress").GetProperty("total").GetInt32());
        await _llm.Held.Task.WaitAsync(TimeSpan.FromMinutes(3)); // the bound only stops a hung test

        var running = await WaitForDoneAsync(_host.Client, id, HeldAt);
        Assert.Equal("running", running.GetProperty("state").GetString());
        Assert.Equal(HeldAt, running.GetProperty("progress").GetProperty("done").GetInt32());

        var refused = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(SyntheticFolder.Create(20, "revtwo"))));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must carry Retry-After");
        Assert.Contains("MaxQueuedJobs", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Searches answer while the job holds the collection mid-ingest, over the documents it has written so far.
        Assert.Contains("80 yuan", ServiceHost.HitTexts(await _host.SearchAsync("kb", "delivery fee"))[0], StringComparison.Ordinal);
        Assert.Contains("manual 7 (revone)", ServiceHost.HitTexts(await _host.SearchAsync("kb", "manual 7 revone thermostat"))[0], StringComparison.Ordinal);
        Assert.Equal("running", (await GetJobAsync(_host.Client, id, lists: false)).GetProperty("state").GetString());

        _llm.ReleaseHeld();
        var finished = await WaitAsync(_host.Client, id);
        Assert.Equal("succeeded", finished.GetProperty("state").GetString());
        Assert.Equal(Documents, Count(finished, "added"));
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
        Assert.Equal(Documents + 1, stats.GetProperty("documents").GetInt32());
    }
}
