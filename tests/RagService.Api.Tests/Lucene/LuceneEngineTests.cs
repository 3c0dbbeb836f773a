using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Tests.Sync;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Storage.Sqlite;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Lucene;

/// <summary>The service with Rag:Bm25Engine=lucene, over real HTTP: writes, restarts, damaged index folders, foreign writers, SIGKILL.</summary>
public sealed class LuceneEngineTests : IDisposable
{
    private const string Lucene = "--Rag:Bm25Engine=lucene";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ragsvc-lucene-" + Guid.NewGuid().ToString("N")[..12]);

    private string DatabasePath => Path.Combine(_directory, "rag.db");

    /// <summary>The index folder of the n-th collection created in a fresh database.</summary>
    private string IndexFolder(int collection) => Path.Combine(DatabasePath + ".lucene", $"collection-{collection}");

    [Fact]
    public async Task Add_replace_delete_and_filter_are_searchable_when_each_request_returns()
    {
        await using var host = await ServiceHost.StartAsync(Lucene);
        await host.CreateCollectionAsync("menu");
        await host.IngestAsync("menu", new { id = "pizza", text = "玛格丽特披萨29元，番茄和马苏里拉。", metadata = new { kind = "menu" } });
        await host.IngestAsync("menu", new { id = "promo", text = "本周披萨外卖立减5元。", metadata = new { kind = "promo" } });

        var both = await host.SearchAsync("menu", "披萨", mode: "bm25");
        Assert.Equal(["pizza", "promo"], DocumentIds(both).Order());
        var bm25 = both.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "bm25");
        Assert.Equal("lucene", bm25.GetProperty("engine").GetString());
        Assert.All(both.GetProperty("hits").EnumerateArray(), h => Assert.Contains("<em>披萨</em>", h.GetProperty("snippet").GetString()));

        await host.IngestAsync("menu", new { id = "pizza", text = "香肠披萨33元。", metadata = new { kind = "menu" } });
        Assert.Empty(DocumentIds(await host.SearchAsync("menu", "玛格丽特", mode: "bm25")));
        Assert.Equal(["pizza"], DocumentIds(await host.SearchAsync("menu", "香肠", mode: "bm25")));

        Assert.Equal(["pizza"], DocumentIds(await host.SearchAsync("menu", "披萨", mode: "bm25", filter: new { metadata = new { kind = "menu" } })));
        Assert.Equal(["promo"], DocumentIds(await host.SearchAsync("menu", "披萨", mode: "bm25", filter: new { documentIds = new[] { "promo" } })));

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/v1/collections/menu/documents/promo")).StatusCode);
        Assert.Empty(DocumentIds(await host.SearchAsync("menu", "外卖", mode: "bm25")));

        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/menu");
        Assert.Equal("lucene", stats.GetProperty("bm25").GetProperty("engine").GetString());
        Assert.Equal(stats.GetProperty("chunks").GetInt32(), stats.GetProperty("bm25").GetProperty("entries").GetInt32());
        Assert.True(stats.GetProperty("bm25IndexBytes").GetInt64() > 0);
    }

    [Fact]
    public async Task A_smartcn_collection_segments_words_and_deleting_the_collection_removes_its_index()
    {
        await using var host = await ServiceHost.StartAsync(Lucene);
        var refused = await host.Client.PostAsJsonAsync("/v1/collections", new { name = "x", analyzer = "jieba" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("'analyzer' must be one of", await refused.Content.ReadAsStringAsync());

        await host.CreateCollectionAsync("menu", new { name = "menu", analyzer = "smartcn" });
        await host.IngestAsync("menu", new { id = "p", text = "你们现在最便宜的披萨是玛格丽特披萨。" });
        var search = await host.SearchAsync("menu", "便宜的披萨", mode: "bm25");
        Assert.Equal(["p"], DocumentIds(search));
        // The snippet is highlighted with the collection's own analyzer (SmartCn as a Lucene analyzer).
        Assert.Contains("<em>便宜</em>", search.GetProperty("hits")[0].GetProperty("snippet").GetString());
        var stats = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/menu");
        Assert.Equal("smartcn", stats.GetProperty("settings").GetProperty("analyzer").GetString());

        var folder = Path.Combine(host.DatabasePath + ".lucene", "collection-1");
        Assert.True(Directory.Exists(folder));
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync("/v1/collections/menu")).StatusCode);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_restart_reuses_the_index_and_a_deleted_truncated_or_foreign_folder_is_rebuilt_with_the_same_answers()
    {
        Directory.CreateDirectory(_directory);
        JsonElement expected;
        await using (var first = await ServiceProcess.StartAsync(DatabasePath, Lucene))
        {
            await CreateAsync(first.Client, "kb");
            await CreateAsync(first.Client, "other");
            for (var i = 0; i < 20; i++)
            {
                await IngestAsync(first.Client, "kb", $"doc-{i}", $"第{i}号烤箱的温控器需要每{i + 2}个月校准一次，风扇每周清洁。");
            }

            await IngestAsync(first.Client, "other", "x", "完全不同的集合：寿司和拉面。");
            expected = await SearchAsync(first.Client, "kb", "温控器校准");
            Assert.Equal("rebuilt: missing", await LoadVerdictAsync(first.Client, "kb"));
            await SearchAsync(first.Client, "other", "寿司");
            Assert.Equal(0, first.Terminate());
        }

        Assert.Equal("loaded", await RestartAndCompareAsync(expected));

        Directory.Delete(IndexFolder(1), recursive: true);
        Assert.StartsWith("rebuilt: missing", await RestartAndCompareAsync(expected));

        var largest = new DirectoryInfo(IndexFolder(1)).EnumerateFiles().Where(f => f.Name != "write.lock").MaxBy(f => f.Length)!;
        using (var file = new FileStream(largest.FullName, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        Assert.StartsWith("rebuilt: corrupt", await RestartAndCompareAsync(expected));

        Directory.Delete(IndexFolder(1), recursive: true);
        CopyFolder(IndexFolder(2), IndexFolder(1));
        Assert.StartsWith("rebuilt: foreign", await RestartAndCompareAsync(expected));
    }

    [Fact]
    public async Task A_write_by_another_process_on_the_same_files_is_caught_up_from_the_change_log_by_the_next_search()
    {
        await using var host = await ServiceHost.StartAsync(Lucene);
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "a", text = "苹果手机的电池续航" });
        Assert.Equal(["a"], DocumentIds(await host.SearchAsync("kb", "电池", mode: "bm25")));

        // A second store on the same database, knowing nothing of the service's index, stands for another process writing.
        var other = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = host.DatabasePath });
        var collection = (await other.GetCollectionAsync("kb", default))!;
        var ingestion = new IngestionService(other, new AnalyzerCatalog(new MixedScriptAnalyzer()));
        await ingestion.IngestAsync(collection, new IngestRequest("b", null,
            new ExtractedDocument(null, [new DocumentBlock(BlockKind.Paragraph, "电池更换服务的价格")], "text"), new Dictionary<string, string>()), default);
        await other.DeleteDocumentAsync(collection, "a", default);

        var verdict = await LoadVerdictAsync(host.Client, "kb");
        Assert.Equal(["b"], DocumentIds(await host.SearchAsync("kb", "电池", mode: "bm25")));
        var bm25 = (await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb")).GetProperty("bm25");
        Assert.Equal((verdict, 3L, 0L, 2L, 0), (bm25.GetProperty("load").GetString(), bm25.GetProperty("version").GetInt64(), bm25.GetProperty("lag").GetInt64(),
            bm25.GetProperty("versionsFromLog").GetInt64(), bm25.GetProperty("rebuilds").GetInt32()));
    }

    [Fact]
    public async Task Sigkill_during_writes_leaves_sqlite_and_the_index_consistent_after_a_restart()
    {
        Directory.CreateDirectory(_directory);
        const int documents = 60;
        string jobId;
        await using (var first = await ServiceProcess.StartAsync(DatabasePath, Lucene))
        {
            await CreateAsync(first.Client, "kb");
            var initial = await PostSyncAsync(first.Client, SyntheticFolder.Create(documents, "oldrev"));
            Assert.Equal("succeeded", (await WaitAsync(first.Client, initial)).GetProperty("state").GetString());
            jobId = await PostSyncAsync(first.Client, SyntheticFolder.Create(documents, "newrev"));
            await WaitForDoneAsync(first.Client, jobId, 3);
            first.Kill();
        }

        await using var second = await ServiceProcess.StartAsync(DatabasePath, Lucene);
        Assert.Equal("succeeded", (await WaitAsync(second.Client, jobId)).GetProperty("state").GetString());
        Assert.Empty(DocumentIds(await SearchAsync(second.Client, "kb", "oldrev")));
        Assert.Equal(10, DocumentIds(await SearchAsync(second.Client, "kb", "newrev", topK: 10)).Count);
        var stats = await second.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
        Assert.Equal(documents, stats.GetProperty("documents").GetInt32());
        Assert.Equal(stats.GetProperty("chunks").GetInt32(), stats.GetProperty("bm25").GetProperty("entries").GetInt32());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Starts the service on the same files, checks the answers and returns how the index was opened.</summary>
    private async Task<string> RestartAndCompareAsync(JsonElement expected)
    {
        await using var service = await ServiceProcess.StartAsync(DatabasePath, Lucene);
        Assert.Equal("not loaded", await LoadVerdictAsync(service.Client, "kb"));
        var answer = await SearchAsync(service.Client, "kb", "温控器校准");
        Assert.Equal(Ranked(expected), Ranked(answer));
        var verdict = await LoadVerdictAsync(service.Client, "kb");
        Assert.Equal(0, service.Terminate());
        return verdict;
    }

    private static IReadOnlyList<(string, double)> Ranked(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray().Select(h => (h.GetProperty("documentId").GetString()!, Math.Round(h.GetProperty("score").GetDouble(), 9))).ToList();

    private static List<string> DocumentIds(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).ToList();

    private static async Task<string> LoadVerdictAsync(HttpClient client, string collection) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/collections/{collection}")).GetProperty("bm25").GetProperty("load").GetString()!;

    private static async Task CreateAsync(HttpClient client, string name) =>
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/v1/collections", new { name })).StatusCode);

    private static async Task IngestAsync(HttpClient client, string collection, string id, string text)
    {
        var response = await client.PostAsJsonAsync($"/v1/collections/{collection}/documents", new { id, text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> SearchAsync(HttpClient client, string collection, string query, int topK = 5)
    {
        var response = await client.PostAsJsonAsync($"/v1/collections/{collection}/search", new { query, topK, mode = "bm25" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string> PostSyncAsync(HttpClient client, Dictionary<string, string> folder)
    {
        var response = await client.PostAsync("/v1/collections/kb/sync?prune=true", TestArchives.Body(TestArchives.Zip(folder)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Waits until the job has written some documents and is still running (the deadline only stops a hung test).</summary>
    private static async Task WaitForDoneAsync(HttpClient client, string jobId, int done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var job = await GetJobAsync(client, jobId, lists: false);
            Assert.Equal(JsonValueKind.Null, job.GetProperty("finishedAt").ValueKind);
            if (job.GetProperty("progress").GetProperty("done").GetInt32() >= done)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} made no progress: {job}");
            await Task.Delay(5);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
