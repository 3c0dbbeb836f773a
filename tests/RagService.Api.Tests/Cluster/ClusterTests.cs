using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using RagService.Api.Tests.Sync;
using static RagService.Api.Tests.Cluster.ReplicaCluster;

namespace RagService.Api.Tests.Cluster;

/// <summary>
/// Three real service processes on one PostgreSQL database behaving as one service (issue 26's tests 1 to 7).
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
    public async Task A_job_whose_replica_is_killed_mid_run_is_finished_by_another_with_every_document_whole_and_exact_counts()
    {
        const int documents = 500;
        const int heldAt = 200;
        await using var llm = await FakeLlmServer.StartAsync();
        await using var cluster = await ReplicaCluster.StartAsync(2, started: 1,
            $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0", "--Rag:Sync:LeaseSeconds=4", "--Rag:Sync:HeartbeatSeconds=1");
        var a = cluster[0].Client;
        Assert.True((await a.PostAsJsonAsync("/v1/collections", new { name = "kb", llmContext = true })).IsSuccessStatusCode);

        // The fake LLM holds the chunk-context request of document 200: A is provably inside the job, 200 documents written.
        llm.HoldWhenAsked = NoteText(heldAt);
        var folder = Enumerable.Range(0, documents).ToDictionary(i => $"notes/note-{i:D4}.md", NoteText);
        var accepted = await a.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(folder)));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await llm.Held.Task.WaitAsync(TimeSpan.FromMinutes(5)); // the bound only stops a hung test

        // B starts while A holds the job's lease (renewed by its heartbeat): B finds the job but may not take it.
        await cluster.StartReplicaAsync(1);
        var b = cluster[1].Client;
        var midRun = await JobPolling.WaitForDoneAsync(b, jobId, heldAt);
        Assert.Equal(("running", heldAt), (midRun.GetProperty("state").GetString(), midRun.GetProperty("progress").GetProperty("done").GetInt32()));
        Assert.StartsWith($"{Environment.MachineName}/{cluster[0].ProcessId}/", await LeaseOwnerAsync(cluster, jobId));

        await cluster.KillReplicaAsync(0);
        llm.HoldWhenAsked = null;
        llm.ReleaseHeld();

        var finished = await WaitForJobAsync(b, jobId);
        Assert.Equal("succeeded", finished.GetProperty("state").GetString());
        Assert.Equal((documents, 0, 0), (JobPolling.Count(finished, "added"), JobPolling.Count(finished, "failed"), JobPolling.Count(finished, "updated")));

        // The store as the two replicas left it: every document once, each whole (its recorded chunk count, each chunk with its terms and its own text).
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var check = new NpgsqlCommand("""
            SELECT d.doc_key, d.chunk_count, count(c.id), count(*) FILTER (WHERE cardinality(c.body_terms) > 0),
                   count(*) FILTER (WHERE c.text LIKE '%' || substr(d.doc_key, 12, 4) || ' %')
            FROM documents d LEFT JOIN chunks c ON c.document_id = d.id GROUP BY d.id ORDER BY d.doc_key
            """, connection);
        var stored = new List<string>();
        await using (var reader = await check.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var (chunkCount, chunks) = (reader.GetInt32(1), reader.GetInt64(2));
                Assert.True(chunkCount > 0 && chunks == chunkCount && reader.GetInt64(3) == chunks && reader.GetInt64(4) == chunks,
                    $"{reader.GetString(0)} is not whole: {chunkCount} chunks recorded, {chunks} stored, {reader.GetInt64(3)} with terms, {reader.GetInt64(4)} with its text");
                stored.Add(reader.GetString(0));
            }
        }

        Assert.Equal(folder.Keys.Order(StringComparer.Ordinal), stored);
        await using var files = new NpgsqlCommand("SELECT count(*) FROM job_files", connection);
        Assert.Equal(0L, await files.ExecuteScalarAsync()); // the finished job's files are gone from the store
        Assert.Equal(["notes/note-0499.md"], DocumentIds(await SearchOkAsync(b, "kb", "0499")));

        static string NoteText(int i) => $"Delivery note {i:D4} : order {i:D4} ships from warehouse {i % 7} with a signed receipt.";
    }

    [SkippableFact]
    public async Task A_collection_deleted_through_one_replica_while_another_writes_into_it_refuses_the_write_with_409_and_every_replica_drops_it()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        await using var cluster = await ReplicaCluster.StartAsync(3, null, $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");
        var (a, b) = (cluster[0].Client, cluster[1].Client);
        Assert.True((await a.PostAsJsonAsync("/v1/collections", new { name = "kb", llmContext = true })).IsSuccessStatusCode);
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var collectionId = new NpgsqlCommand("SELECT id FROM collections WHERE name = 'kb'", connection);
        var id = (long)(await collectionId.ExecuteScalarAsync())!;
        await WriteAsync(a, "kb", "seed", "the first note about parcels");
        for (var replica = 0; replica < 3; replica++)
        {
            Assert.Equal(["seed"], DocumentIds(await SearchOkAsync(cluster[replica].Client, "kb", "parcels"))); // each holds the collection's index
            Assert.True(Directory.Exists(Path.Combine(cluster.LuceneFolderOf(replica), $"collection-{id}")));
        }

        // The fake LLM holds A's write inside its ingestion (the chunk's context), before anything of it is stored.
        llm.HoldWhenAsked = "lanterns for the night market";
        var write = a.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "late", text = "lanterns for the night market" });
        await llm.Held.Task.WaitAsync(TimeSpan.FromMinutes(5)); // the bound only stops a hung test
        Assert.Equal(HttpStatusCode.NoContent, (await b.DeleteAsync("/v1/collections/kb")).StatusCode);
        llm.HoldWhenAsked = null;
        llm.ReleaseHeld();

        using var refused = await write;
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("nothing was written", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        await using var rows = new NpgsqlCommand("SELECT (SELECT count(*) FROM collections) + (SELECT count(*) FROM documents) + (SELECT count(*) FROM chunks)", connection);
        Assert.Equal(0L, await rows.ExecuteScalarAsync());
        for (var replica = 0; replica < 3; replica++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await cluster[replica].Client.GetAsync("/v1/collections/kb")).StatusCode);
            using var search = await SearchAsync(cluster[replica].Client, "kb", "lanterns");
            Assert.Equal(HttpStatusCode.NotFound, search.StatusCode);
            await WaitUntilGoneAsync(Path.Combine(cluster.LuceneFolderOf(replica), $"collection-{id}"));
        }
    }

    [SkippableFact]
    public async Task While_PostgreSQL_is_unreachable_searches_answer_from_local_state_writes_answer_503_with_nothing_written_and_all_catches_up_after()
    {
        // CacheSeconds=300: the principal-limited key is still authenticated during the outage, so its refusal is the search's own.
        // ChunkCache:MaxBytes=0: no replica keeps a hit's chunk in memory, so every degraded hit comes from its local copy.
        // The fake LLM streams its reply, so a streamed ask has token events before its "done" event.
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = "续航两天 [1]";
        await using var cluster = await ReplicaCluster.StartAsync(2, null, throughLink: true, "--Rag:Postgres:RetryCount=0", "--Rag:Auth:CacheSeconds=300",
            "--Rag:ChunkCache:MaxBytes=0", $"--Rag:Embedding:ModelDirectory={RealModelRetrievalTests.RealMiniLmDirectory()}", "--Rag:Embedding:IntraOpThreads=1",
            $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");
        var (a, b) = (cluster[0].Client, cluster[1].Client);
        await CreateCollectionAsync(a, "kb");
        await WriteAsync(a, "kb", "tea", "green tea from the hills");
        var before = (await WriteAsync(b, "kb", "battery", "苹果手机的电池续航")).GetProperty("version").GetInt64();
        var guideVersion = await WriteGuideAsync(a, b);
        var created = await (await a.PostAsJsonAsync("/v1/keys", new { client = "hr-app", role = "reader", principals = new[] { "group:hr" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        using var limited = new HttpClient { BaseAddress = a.BaseAddress };
        limited.DefaultRequestHeaders.Add("X-Api-Key", created.GetProperty("key").GetString());
        Assert.Equal(["tea"], DocumentIds(await SearchOkAsync(limited, "kb", "tea"))); // the key's record is now kept by A
        foreach (var replica in new[] { a, b })
        {
            Assert.Equal(["tea"], DocumentIds(await SearchOkAsync(replica, "kb", "tea", minVersion: before)));
            Assert.Equal(["battery"], DocumentIds(await SearchOkAsync(replica, "kb", "电池", minVersion: before)));
            Assert.Equal(("ready", "on"), await ReadinessAsync(replica));
        }

        // Before the outage: each replica's hits in every mode, over chunks written through both replicas (each one's
        // BM25 search opened its local copy of "guide"; the other replica's chunks reached it by the change log).
        var expected = new Dictionary<(int, string, string), string>();
        foreach (var (replica, client) in new[] { (0, a), (1, b) })
        {
            foreach (var (mode, query) in GuideSearches)
            {
                using var search = await GuideSearchAsync(client, mode, query, guideVersion);
                var body = await search.Content.ReadAsStringAsync();
                Assert.True(search.StatusCode == HttpStatusCode.OK, $"{(int)search.StatusCode}: {body}");
                var hits = JsonDocument.Parse(body).RootElement.GetProperty("hits");
                Assert.True(hits.GetArrayLength() >= 2, $"{mode} '{query}' found too little to compare: {hits}");
                expected[(replica, mode, query)] = hits.GetRawText();
            }
        }

        var (normal, normalServedFrom) = await StreamedAskAsync(a);
        Assert.False(normal.TryGetProperty("degraded", out _), normal.ToString());
        Assert.Null(normalServedFrom);

        Assert.True(await cluster.Link.CutAsync() > 0, "the replicas held no connection to end");

        // Writes: 503 naming the store, on both replicas, for a new document, a replacement and a delete.
        await AssertStoreUnavailableAsync(await a.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "lost-a", text = "black tea written during the outage" }));
        await AssertStoreUnavailableAsync(await b.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "tea", text = "white tea written during the outage" }));
        await AssertStoreUnavailableAsync(await b.DeleteAsync("/v1/collections/kb/documents/battery"));
        foreach (var replica in new[] { a, b })
        {
            Assert.Equal(("unready", "failed"), await ReadinessAsync(replica));
            await WaitForComponentAsync(replica, "replication", "failed"); // the gate: each follower met the outage
        }

        // Reads: every replica answers unrestricted searches from its local state, with exactly the pre-outage hits,
        // saying so (served from local state at the version it last read). What it cannot decide locally is refused:
        // a principal-limited search (its visible set is checked against the store's version) and a version it does not hold.
        foreach (var replica in new[] { a, b })
        {
            await AssertServedLocallyAsync(await SearchAsync(replica, "kb", "tea"), ["tea"], before);
            await AssertServedLocallyAsync(await SearchAsync(replica, "kb", "电池"), ["battery"], before);
            using var ahead = await SearchAsync(replica, "kb", "tea", minVersion: before + 1);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ahead.StatusCode);
            Assert.NotNull(ahead.Headers.RetryAfter);
        }

        // Every mode answers with exactly the hits it gave before the outage (texts, titles, headings, metadata, scores),
        // none of them from a chunk cache (it is off): all from the replica's local copy.
        foreach (var (replica, client) in new[] { (0, a), (1, b) })
        {
            foreach (var (mode, query) in GuideSearches)
            {
                var search = await AssertServedLocallyAsync(await GuideSearchAsync(client, mode, query, null), guideVersion);
                Assert.Equal(expected[(replica, mode, query)], search.GetProperty("hits").GetRawText());
            }
        }

        await AssertStoreUnavailableAsync(await SearchAsync(limited, "kb", "tea"));
        using (var ask = await b.PostAsJsonAsync("/v1/collections/kb/ask", new { question = "电池", mode = "bm25" }))
        {
            var body = await ask.Content.ReadAsStringAsync();
            Assert.True(ask.StatusCode == HttpStatusCode.OK, $"{(int)ask.StatusCode}: {body}");
            var answer = JsonDocument.Parse(body).RootElement;
            Assert.Equal(["battery"], answer.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("documentId").GetString()));
            Assert.Equal(before, answer.GetProperty("degraded").GetProperty("version").GetInt64());
        }

        // A streamed ask: the header before the first event, and the "done" event carries "degraded" like the body above.
        foreach (var replica in new[] { a, b })
        {
            var (done, servedFrom) = await StreamedAskAsync(replica);
            Assert.Equal(["battery"], done.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("documentId").GetString()));
            Assert.Equal((before, "local-state", before), (done.GetProperty("version").GetInt64(),
                done.GetProperty("degraded").GetProperty("servedFrom").GetString(), done.GetProperty("degraded").GetProperty("version").GetInt64()));
            Assert.Contains("PostgreSQL", done.GetProperty("degraded").GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal($"local-state; version={before}", servedFrom);
        }

        cluster.Link.Restore();

        // Writes succeed again, the indexes hold what they held, a write on A reaches B (its change feed reconnected)
        // and readiness comes back.
        foreach (var replica in new[] { a, b })
        {
            Assert.Equal(["tea"], DocumentIds(await SearchOkAsync(replica, "kb", "tea")));
            Assert.Empty(DocumentIds(await SearchOkAsync(replica, "kb", "outage")));
        }

        var after = (await WriteAsync(a, "kb", "coffee", "dark roast coffee beans")).GetProperty("version").GetInt64();
        Assert.Equal(before + 1, after); // no version was spent on a refused write
        await WaitForIndexVersionAsync(b, "kb", after); // B's follower survived the outage: the write reaches it with no search asking
        Assert.Equal(["coffee"], DocumentIds(await SearchOkAsync(b, "kb", "roast")));
        Assert.Equal(["coffee"], DocumentIds(await SearchOkAsync(b, "kb", "coffee", minVersion: after)));
        foreach (var replica in new[] { a, b })
        {
            await WaitUntilReadyAsync(replica);
        }

        // The store holds exactly the documents whose writes answered 2xx, each whole, with the texts written before the outage.
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var check = new NpgsqlCommand("""
            SELECT d.doc_key, d.chunk_count, count(c.id), string_agg(c.text, ' ')
            FROM documents d LEFT JOIN chunks c ON c.document_id = d.id WHERE d.collection_id = (SELECT id FROM collections WHERE name = 'kb')
            GROUP BY d.id ORDER BY d.doc_key
            """, connection);
        var stored = new List<(string, int, long, string)>();
        await using (var reader = await check.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3)));
            }
        }

        Assert.Equal([("battery", 1, 1L, "苹果手机的电池续航"), ("coffee", 1, 1L, "dark roast coffee beans"), ("tea", 1, 1L, "green tea from the hills")], stored);
    }

    /// <summary>A streamed ask for "电池" (bm25): the fake LLM's reply as token events, then its "done" event; that event's data and the Rag-Served-From header.</summary>
    private static async Task<(JsonElement Done, string? ServedFrom)> StreamedAskAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/kb/ask")
        {
            Content = JsonContent.Create(new { question = "电池", mode = "bm25", stream = true }),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var events = await StreamingAndLlmTests.ReadEventsAsync(response);
        Assert.Equal("done", events[^1].Event);
        Assert.All(events[..^1], e => Assert.Equal("token", e.Event));
        var streamed = string.Concat(events[..^1].Select(e => e.Data.GetProperty("text").GetString()));
        Assert.Equal(("续航两天 [1]", streamed), (streamed.TrimEnd(), events[^1].Data.GetProperty("answer").GetString()));
        return (events[^1].Data, response.Headers.TryGetValues("Rag-Served-From", out var servedFrom) ? string.Join(",", servedFrom) : null);
    }

    /// <summary>The searches compared before and during the outage: each mode, queries matching one or several chunks of "guide".</summary>
    private static readonly (string Mode, string Query)[] GuideSearches =
    [
        ("bm25", "battery"), ("bm25", "green tea"), ("dense", "how long does the phone battery last"), ("dense", "brewing tea leaves"),
        ("hybrid", "battery charging"), ("hybrid", "replace a cracked glass screen"),
    ];

    /// <summary>
    /// A second collection cut into small chunks: a titled, tagged Markdown document with headings written through A and
    /// another through B. Returns the version after both.
    /// </summary>
    private static async Task<long> WriteGuideAsync(HttpClient a, HttpClient b)
    {
        var created = await a.PostAsJsonAsync("/v1/collections", new { name = "guide", chunking = "sentence-pack", chunkSize = 20, chunkOverlap = 0 });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var manual = await a.PostAsJsonAsync("/v1/collections/guide/documents", new
        {
            id = "manual", title = "Phone manual", format = "markdown", metadata = new Dictionary<string, string> { ["lang"] = "en", ["team"] = "devices" },
            text = "# Battery\n\nCharge the phone battery overnight with the cable in the box. A full battery lasts two days of normal use.\n\n" +
                "# Screen\n\nThe screen is toughened glass. A cracked screen is replaced at any store within a week.\n\n" +
                "# Storage\n\nPhotos and videos fill the storage first. Move them to the cloud to free space.",
        });
        Assert.True(manual.IsSuccessStatusCode, await manual.Content.ReadAsStringAsync());
        var tea = await b.PostAsJsonAsync("/v1/collections/guide/documents", new
        {
            id = "brewing", title = "Brewing tea", format = "markdown", metadata = new Dictionary<string, string> { ["lang"] = "en" },
            text = "# Green tea\n\nBrew green tea leaves at eighty degrees for two minutes. Hotter water makes it bitter.\n\n" +
                "# Black tea\n\nBlack tea wants boiling water and four minutes. Milk is optional.",
        });
        Assert.True(tea.IsSuccessStatusCode, await tea.Content.ReadAsStringAsync());
        return (await tea.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64();
    }

    private static async Task<HttpResponseMessage> GuideSearchAsync(HttpClient client, string mode, string query, long? minVersion)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/guide/search")
        {
            // rrf: calibrated fusion would follow a calibration finishing in the background between the two searches.
            Content = JsonContent.Create(new { query, mode, fusion = "rrf", topK = 5, minVersion }),
        };
        return await client.SendAsync(request);
    }

    /// <summary>A 200 with exactly <paramref name="expected"/>, marked in body and header as served from local state at <paramref name="version"/>.</summary>
    private static async Task AssertServedLocallyAsync(HttpResponseMessage response, string[] expected, long version) =>
        Assert.Equal(expected, DocumentIds(await AssertServedLocallyAsync(response, version)));

    /// <summary>A 200 marked in body and header as served from local state at <paramref name="version"/>; its body.</summary>
    private static async Task<JsonElement> AssertServedLocallyAsync(HttpResponseMessage response, long version)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
            var search = JsonDocument.Parse(body).RootElement;
            var degraded = search.GetProperty("degraded");
            Assert.Equal("local-state", degraded.GetProperty("servedFrom").GetString());
            Assert.Equal(version, degraded.GetProperty("version").GetInt64());
            Assert.Contains("PostgreSQL", degraded.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Equal($"local-state; version={version}", string.Join(",", response.Headers.GetValues("Rag-Served-From")));
            return search;
        }
    }

    private static async Task AssertStoreUnavailableAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
            Assert.Contains("PostgreSQL", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    /// <summary>/health/ready's status and one component's state (the store's unless named), as a keyed caller sees them.</summary>
    private static async Task<(string Status, string State)> ReadinessAsync(HttpClient client, string component = "store")
    {
        using var response = await client.GetAsync("/health/ready");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var status = body.GetProperty("status").GetString()!;
        Assert.Equal(status == "unready" ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, response.StatusCode);
        var found = body.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == component);
        return (status, found.GetProperty("state").GetString()!);
    }

    /// <summary>Polls /health/ready until the component is in the state.</summary>
    private static Task WaitForComponentAsync(HttpClient client, string component, string state) =>
        PollAsync(() => ReadinessAsync(client, component), found => found.State == state, found => $"{component} did not become {state}: {found}");

    /// <summary>Polls /health/ready until it says ready with the store on.</summary>
    private static Task WaitUntilReadyAsync(HttpClient client) =>
        PollAsync(() => ReadinessAsync(client), state => state == ("ready", "on"), state => $"the replica did not become ready again: {state}");

    /// <summary>Waits until the replica's follower dropped the index folder.</summary>
    private static Task WaitUntilGoneAsync(string folder) =>
        PollAsync(() => Task.FromResult(Directory.Exists(folder)), exists => !exists, _ => $"{folder} was not dropped", interval: 50);

    private static async Task<string?> LeaseOwnerAsync(ReplicaCluster cluster, string jobId)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT lease_owner FROM jobs WHERE id = $1", connection) { Parameters = { new() { Value = jobId } } };
        return await cmd.ExecuteScalarAsync() as string;
    }

    /// <summary>Polls until the job is finished (bound: 15 minutes, for a 500-document job on a loaded machine).</summary>
    private static Task<JsonElement> WaitForJobAsync(HttpClient client, string jobId) =>
        PollAsync(() => JobPolling.GetJobAsync(client, jobId, lists: false), job => job.GetProperty("finishedAt").ValueKind != JsonValueKind.Null,
            job => $"job {jobId} did not finish: {job}", TimeSpan.FromMinutes(15), interval: 200);

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
        await using var cluster = await ReplicaCluster.StartAsync(2, null, $"--Rag:Auth:CacheSeconds={CacheSeconds}");
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

    [SkippableFact]
    public async Task An_access_change_on_one_replica_holds_for_the_next_search_on_another()
    {
        await using var cluster = await ReplicaCluster.StartAsync(2);
        await CreateCollectionAsync(cluster[0].Client, "kb");
        await WriteAsync(cluster[0].Client, "kb", "menu", "食堂的菜单");
        await WriteAsync(cluster[0].Client, "kb", "salary", "食堂员工的工资");
        await PutAccessAsync(cluster[0].Client, "salary", ["group:hr"]);
        var created = await (await cluster[0].Client.PostAsJsonAsync("/v1/keys", new { client = "hr-app", role = "reader", principals = new[] { "group:hr" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        using var hr = new HttpClient { BaseAddress = cluster[1].Client.BaseAddress };
        hr.DefaultRequestHeaders.Add("X-Api-Key", created.GetProperty("key").GetString());
        async Task<List<string>> FoundAsync() => [.. DocumentIds(await SearchOkAsync(hr, "kb", "食堂")).Order(StringComparer.Ordinal)];

        Assert.Equal(["menu", "salary"], await FoundAsync());
        Assert.Equal(["menu", "salary"], await FoundAsync()); // replica 1 holds the scope's visible set now

        await PutAccessAsync(cluster[0].Client, "salary", ["group:finance"]);
        Assert.Equal(["menu"], await FoundAsync());
        await PutAccessAsync(cluster[0].Client, "salary", null);
        Assert.Equal(["menu", "salary"], await FoundAsync());
    }

    private static async Task PutAccessAsync(HttpClient client, string id, string[]? access)
    {
        using var response = await client.PutAsJsonAsync($"/v1/collections/kb/documents/{id}/access", new { access });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static Task StopReplicaAsync(ReplicaCluster cluster, int replica) => cluster.StopReplicaAsync(replica);
}
