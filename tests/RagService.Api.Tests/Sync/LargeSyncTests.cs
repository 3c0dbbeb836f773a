using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Sync;

/// <summary>A sync beyond the synchronous limit runs as a job: searches keep answering meanwhile, and a full queue refuses more work.</summary>
public sealed class LargeSyncTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync("--Rag:Sync:MaxQueuedJobs=1");
        await _host.CreateCollectionAsync("kb");
        await _host.IngestAsync("kb", new { id = "faq", text = "The delivery fee is waived for orders above 80 yuan." });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Large_sync_is_a_job_searches_keep_answering_and_a_full_queue_gets_429_with_retry_after()
    {
        var accepted = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(SyntheticFolder.Create(200, "revone"))));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal($"/v1/jobs/{id}", accepted.Headers.Location?.OriginalString);
        Assert.Equal(200, job.GetProperty("progress").GetProperty("total").GetInt32());

        var refused = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(SyntheticFolder.Create(20, "revtwo"))));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must carry Retry-After");
        Assert.Contains("MaxQueuedJobs", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        var searchesWhileRunning = 0;
        var lastDone = 0;
        while (true)
        {
            var before = await GetJobAsync(_host.Client, id, lists: false);
            if (before.GetProperty("finishedAt").ValueKind != JsonValueKind.Null)
            {
                break;
            }

            var done = before.GetProperty("progress").GetProperty("done").GetInt32();
            Assert.True(done >= lastDone, "progress never goes back");
            lastDone = done;

            var search = await _host.SearchAsync("kb", "delivery fee");
            Assert.Contains("80 yuan", ServiceHost.HitTexts(search)[0], StringComparison.Ordinal);
            if ((await GetJobAsync(_host.Client, id, lists: false)).GetProperty("state").GetString() == "running")
            {
                searchesWhileRunning++;
            }
        }

        var finished = await WaitAsync(_host.Client, id);
        Assert.Equal("succeeded", finished.GetProperty("state").GetString());
        Assert.Equal(200, Count(finished, "added"));
        Assert.True(searchesWhileRunning > 0, "no search overlapped the running job");
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
        Assert.Equal(201, stats.GetProperty("documents").GetInt32());
    }
}
