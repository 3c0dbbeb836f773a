using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lucene.Net.Index;
using Lucene.Net.Store;
using RagService.Api.Tests.Sync;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Lucene;

/// <summary>
/// A sync job writes its documents in groups and the Lucene index commits once per group, not after each write: once
/// the job is done, the index's last durable commit (read from its folder by Lucene itself while the service runs)
/// already holds the version the service searches, so a crash then costs no catch-up.
/// </summary>
public sealed class LuceneWriteGroupTests
{
    [Fact]
    public async Task After_a_sync_job_the_lucene_index_has_committed_the_version_it_serves()
    {
        await using var host = await ServiceHost.StartAsync("--Rag:Bm25Engine=lucene", "--Rag:Sync:MaxSynchronousItems=0", "--Rag:Sync:PrepareAheadDocuments=3");
        await host.CreateCollectionAsync("kb");
        var accepted = await host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(SyntheticFolder.Create(12, "groups"))));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await WaitAsync(host.Client, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        Assert.Equal(12, Count(job, "added"));

        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
        var served = stats.GetProperty("bm25").GetProperty("version").GetInt64();
        Assert.Equal(12, served); // one version per document written
        Assert.Equal(served, CommittedVersion(Path.Combine(host.DatabasePath + ".lucene", "collection-1")));
        Assert.Contains("manual 7 (groups)", ServiceHost.HitTexts(await host.SearchAsync("kb", "manual 7 groups thermostat", mode: "bm25"))[0], StringComparison.Ordinal);
    }

    /// <summary>The store version recorded in the index folder's newest commit.</summary>
    private static long CommittedVersion(string folder)
    {
        using var directory = FSDirectory.Open(folder);
        return long.Parse(DirectoryReader.ListCommits(directory)[^1].UserData["sqlite-version"], System.Globalization.CultureInfo.InvariantCulture);
    }
}
