using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static RagService.Api.Tests.Cluster.ReplicaCluster;

namespace RagService.Api.Tests.Cluster;

/// <summary>
/// Three real service processes on one PostgreSQL database behaving as one service (issue 26's tests 1, 2, 6 and 7).
/// Expected answers come from the store itself (a document's chunks as the writing replica lists them) or from the
/// texts the test wrote.
/// </summary>
public sealed class ClusterTests
{
    [SkippableFact]
    public async Task A_write_on_one_replica_is_found_on_the_others_at_once_with_its_version_and_without_it_once_the_feed_caught_up()
    {
        await using var cluster = await ReplicaCluster.StartAsync(3);
        await CreateCollectionAsync(cluster[0].Client, "kb");
        await WriteAsync(cluster[0].Client, "kb", "seed", "a first document about tea");
        foreach (var replica in new[] { 1, 2 })
        {
            Assert.Equal(["seed"], DocumentIds(await SearchOkAsync(cluster[replica].Client, "kb", "tea"))); // each holds its index now
        }

        var written = await WriteAsync(cluster[0].Client, "kb", "battery", "苹果手机的电池续航");
        var version = written.GetProperty("version").GetInt64();
        var onB = await SearchOkAsync(cluster[1].Client, "kb", "电池", minVersion: version);
        var onC = await SearchOkAsync(cluster[2].Client, "kb", "电池", minVersionHeader: version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["battery"], DocumentIds(onB));
        Assert.Equal(["battery"], DocumentIds(onC));
        Assert.True(onB.GetProperty("version").GetInt64() >= version);

        var later = (await WriteAsync(cluster[0].Client, "kb", "screen", "屏幕更换的价格")).GetProperty("version").GetInt64();
        await WaitForIndexVersionAsync(cluster[2].Client, "kb", later);
        Assert.Equal(["screen"], DocumentIds(await SearchOkAsync(cluster[2].Client, "kb", "屏幕")));
        var stats = await Bm25StatsAsync(cluster[2].Client, "kb");
        Assert.Equal((0, 0L), (stats.GetProperty("rebuilds").GetInt32(), stats.GetProperty("lag").GetInt64()));
        Assert.True(stats.GetProperty("versionsFromLog").GetInt64() >= 2, stats.ToString());
    }

    [SkippableFact]
    public async Task A_version_no_replica_reached_is_refused_with_503_and_Retry_After_and_a_bad_one_with_400()
    {
        await using var cluster = await ReplicaCluster.StartAsync(1);
        await CreateCollectionAsync(cluster[0].Client, "kb");
        var version = (await WriteAsync(cluster[0].Client, "kb", "d", "text")).GetProperty("version").GetInt64();

        using var ahead = await SearchAsync(cluster[0].Client, "kb", "text", minVersion: version + 1000);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ahead.StatusCode);
        Assert.NotNull(ahead.Headers.RetryAfter);
        Assert.Contains($"version {version + 1000} was not reached", (await ahead.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        using var bad = await SearchAsync(cluster[0].Client, "kb", "text", minVersionHeader: "soon");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var negative = await SearchAsync(cluster[0].Client, "kb", "text", minVersion: -1);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
    }

    [SkippableFact]
    public async Task One_document_written_concurrently_through_two_replicas_ends_as_one_version_held_exactly_by_every_replica()
    {
        await using var cluster = await ReplicaCluster.StartAsync(3);
        await CreateCollectionAsync(cluster[0].Client, "kb");
        for (var round = 0; round < 50; round++)
        {
            await Task.WhenAll(
                WriteAsync(cluster[0].Client, "kb", "same", $"shared words from replica a round {round}"),
                WriteAsync(cluster[1].Client, "kb", "same", $"shared words from replica b round {round}"));
        }

        var chunks = await cluster[2].Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/chunks?documentId=same");
        var stored = chunks.EnumerateArray().Select(c => c.GetProperty("chunkId").GetInt64()).ToList();
        var text = Assert.Single(chunks.EnumerateArray()).GetProperty("text").GetString();
        Assert.Contains(text, new[] { "shared words from replica a round 49", "shared words from replica b round 49" });
        var version = (await cluster[2].Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb")).GetProperty("version").GetInt64();
        Assert.Equal(100, version);
        for (var replica = 0; replica < 3; replica++)
        {
            var hits = (await SearchOkAsync(cluster[replica].Client, "kb", "shared", minVersion: version, topK: 50)).GetProperty("hits");
            Assert.Equal(stored, hits.EnumerateArray().Select(h => h.GetProperty("chunkId").GetInt64()));
        }
    }

    [SkippableFact]
    public async Task A_replica_stopped_while_others_wrote_1000_times_catches_up_from_the_log_at_restart_without_a_rebuild()
    {
        await using var cluster = await ReplicaCluster.StartAsync(2);
        await CreateCollectionAsync(cluster[0].Client, "kb");
        await WriteAsync(cluster[0].Client, "kb", "seed", "seed words");
        Assert.Equal(["seed"], DocumentIds(await SearchOkAsync(cluster[1].Client, "kb", "seed")));
        await StopReplicaAsync(cluster, 1);

        // Four writers, each owning the documents whose number is its own modulo 4 and writing them in order, so the
        // last text of each document is known: doc-200 ends with round 1000's.
        const int writes = 1000;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async writer =>
        {
            for (var i = writer == 0 ? 4 : writer; i <= writes; i += 4)
            {
                await WriteAsync(cluster[0].Client, "kb", $"doc-{i % 400}", $"common words round {i} unique{i}");
            }
        }));

        await cluster.StartReplicaAsync(1);
        var found = await SearchOkAsync(cluster[1].Client, "kb", "unique1000", minVersion: writes + 1);
        Assert.Equal(["doc-200"], DocumentIds(found));
        var stats = await Bm25StatsAsync(cluster[1].Client, "kb");
        Assert.Equal(($"loaded at version 1, caught up to {writes + 1} from the change log", writes, 0),
            (stats.GetProperty("load").GetString(), stats.GetProperty("versionsFromLog").GetInt64(), stats.GetProperty("rebuilds").GetInt32()));
        var stored = (await cluster[1].Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb")).GetProperty("chunks").GetInt32();
        Assert.Equal(401, stored);
        Assert.Equal(stored, stats.GetProperty("entries").GetInt64());
    }

    [SkippableFact]
    public async Task A_key_revoked_on_one_replica_is_refused_there_at_once_and_on_the_others_within_cache_seconds()
    {
        const int CacheSeconds = 2;
        await using var cluster = await ReplicaCluster.StartAsync(2, $"--Rag:Auth:CacheSeconds={CacheSeconds}");
        await CreateCollectionAsync(cluster[0].Client, "kb");
        var created = await (await cluster[0].Client.PostAsJsonAsync("/v1/keys", new { client = "bot", role = "reader" })).Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("key").GetString();
        using var onA = new HttpClient { BaseAddress = cluster[0].Client.BaseAddress };
        using var onB = new HttpClient { BaseAddress = cluster[1].Client.BaseAddress };
        onA.DefaultRequestHeaders.Add("X-Api-Key", key);
        onB.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/v1/collections/kb")).StatusCode); // both replicas now hold the key's record
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/v1/collections/kb")).StatusCode);

        var revokedAt = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.NoContent, (await cluster[0].Client.DeleteAsync($"/v1/keys/{created.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/v1/collections/kb")).StatusCode);

        // B read the record before the revocation; it must read it again within the bound. The slack covers only the
        // requests' own time on a loaded machine, so a replica that kept the record past its lifetime fails here.
        var deadline = revokedAt + TimeSpan.FromSeconds(CacheSeconds) + TimeSpan.FromSeconds(3);
        while ((await onB.GetAsync("/v1/collections/kb")).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.True(DateTime.UtcNow < deadline, $"replica B still accepted the revoked key {CacheSeconds} s + 3 s after the revocation");
            await Task.Delay(100);
        }
    }

    private static Task StopReplicaAsync(ReplicaCluster cluster, int replica) => cluster.StopReplicaAsync(replica);
}
