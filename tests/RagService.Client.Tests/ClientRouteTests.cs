using System.Net;
using System.Text;
using RagService.Client.Errors;
using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>Every REST route through the typed client, against the real service.</summary>
public sealed class ClientRouteTests
{
    [Fact]
    public async Task Collections_documents_search_and_ask_round_trip()
    {
        await using var f = await ClientFixture.StartAsync();
        var rag = f.Client;

        var created = await rag.CreateCollectionAsync(new CollectionSettings("kb", ChunkSize: 300));
        Assert.Equal(("kb", 300), (created.Name, created.ChunkSize));
        Assert.Equal(["kb"], (await rag.ListCollectionsAsync()).Select(c => c.Name));

        var added = await rag.AddDocumentAsync("kb", new DocumentInput("The oven warranty lasts three years.", Id: "warranty", Title: "Warranty",
            Metadata: new Dictionary<string, string> { ["lang"] = "en" }));
        Assert.Equal(("warranty", "created"), (added.DocumentId, added.Status));
        Assert.Equal("unchanged", (await rag.AddDocumentAsync("kb", new DocumentInput("The oven warranty lasts three years.", Id: "warranty", Title: "Warranty",
            Metadata: new Dictionary<string, string> { ["lang"] = "en" }))).Status);

        using var file = new MemoryStream(Encoding.UTF8.GetBytes("# Menu\n\nThe margherita pizza costs 26 yuan.\n"));
        var uploaded = await rag.UploadDocumentAsync("kb", file, "menu.md", title: "Menu");
        Assert.Equal(("menu.md", "created"), (uploaded.DocumentId, uploaded.Status));

        Assert.Equal(["menu.md", "warranty"], (await rag.ListDocumentsAsync("kb")).Select(d => d.Id).Order(StringComparer.Ordinal));
        var document = await rag.GetDocumentAsync("kb", "warranty");
        Assert.Equal(("Warranty", "en"), (document.Title, document.Metadata["lang"]));
        var stats = await rag.GetCollectionAsync("kb");
        Assert.Equal(2, stats.Documents);

        var search = await rag.SearchAsync("kb", "margherita", new SearchOptions(TopK: 3, Mode: "bm25"));
        Assert.Equal("menu.md", search.Hits[0].DocumentId);
        Assert.Equal(["Menu"], search.Hits[0].HeadingPath);
        Assert.Contains("<em>margherita</em>", search.Hits[0].Snippet, StringComparison.OrdinalIgnoreCase); // lucene, the default engine, highlights
        Assert.Equal((await rag.GetDocumentAsync("kb", "menu.md")).UpdatedAt, search.Hits[0].UpdatedAt);
        Assert.Contains(search.Stages, s => s.Name == "bm25");

        var filtered = await rag.SearchAsync("kb", "oven warranty margherita", new SearchOptions(Mode: "bm25", Filter: new SearchFilter(Metadata: new Dictionary<string, string> { ["lang"] = "en" }), Metadata: ["lang"]));
        Assert.Equal(["warranty"], filtered.Hits.Select(h => h.DocumentId));
        Assert.Equal("en", filtered.Hits[0].Metadata["lang"]);

        var ask = await rag.AskAsync("kb", "How long is the oven warranty?");
        Assert.Null(ask.Answer);
        Assert.Equal("not configured", ask.Llm);
        Assert.Equal(("bm25", "hybrid"), (ask.Mode, ask.RequestedMode)); // no embedding model: hybrid runs as BM25
        Assert.Equal("warranty", ask.Sources[0].DocumentId);
        Assert.Contains("Question: How long is the oven warranty?", ask.Prompt.User);

        await rag.DeleteDocumentAsync("kb", "warranty");
        await Assert.ThrowsAsync<RagServiceNotFoundException>(() => rag.GetDocumentAsync("kb", "warranty"));

        var ready = await rag.GetReadinessAsync();
        Assert.Equal("ready", ready.Status);
        Assert.Contains(ready.Components, c => c.Name == "llm" && c.State == "off");

        await rag.DeleteCollectionAsync("kb");
        await Assert.ThrowsAsync<RagServiceNotFoundException>(() => rag.GetCollectionAsync("kb"));
    }

    [Fact]
    public async Task Problem_details_become_typed_exceptions_that_say_what_to_fix()
    {
        await using var f = await ClientFixture.StartAsync();
        var rag = f.Client;
        await rag.CreateCollectionAsync(new CollectionSettings("kb"));

        var conflict = await Assert.ThrowsAsync<RagServiceConflictException>(() => rag.CreateCollectionAsync(new CollectionSettings("kb")));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);

        var bad = await Assert.ThrowsAsync<RagServiceBadRequestException>(() => rag.SearchAsync("kb", "x", new SearchOptions(TopK: 100_000)));
        Assert.Contains("topK", bad.Detail, StringComparison.OrdinalIgnoreCase);

        var missing = await Assert.ThrowsAsync<RagServiceNotFoundException>(() => rag.SearchAsync("nope", "x"));
        Assert.Contains("nope", missing.Detail);

        var noLlm = await Assert.ThrowsAsync<RagServiceBadRequestException>(() => rag.CreateCollectionAsync(new CollectionSettings("ctx", LlmContext: true)));
        Assert.Contains("RAG_LLM_URL", noLlm.Detail);
    }

    [Fact]
    public async Task Folder_sync_sends_only_changed_files_with_the_manifest_and_waits_for_the_job()
    {
        await using var f = await ClientFixture.StartAsync();
        var rag = f.Client;
        await rag.CreateCollectionAsync(new CollectionSettings("handbook"));
        var folder = Directory.CreateDirectory(Path.Combine(f.Host.Directory, "handbook")).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "guides"));
        for (var i = 0; i < 12; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "guides", $"guide-{i:D2}.md"), $"# Guide {i}\n\nStep {i}: clean the oven seal number {i}.\n");
        }

        await File.WriteAllTextAsync(Path.Combine(folder, ".hidden.md"), "never sent");

        // 12 documents are more than Rag:Sync:MaxSynchronousItems (10): the sync becomes a job to wait for.
        var seen = new List<Job>();
        var first = await rag.SyncFolderAsync("handbook", folder, new SyncFolderOptions(Prune: true));
        var done = await rag.WaitForJobAsync(first.Id, new Recorder(seen));
        Assert.Equal("succeeded", done.State);
        Assert.Equal(new JobCounts(12, 0, 0, 0, 0), done.Counts);
        Assert.Equal(12, done.Added!.Count);
        Assert.True(seen[^1].IsFinished);
        Assert.Equal(new JobProgress(12, 12), seen[^1].Progress);

        // One file changed, one deleted: the plan asks for one file, and the manifest keeps the ten unchanged ones
        // (prune would delete them if the archive did not list them).
        await File.WriteAllTextAsync(Path.Combine(folder, "guides", "guide-03.md"), "# Guide 3\n\nStep 3: replace the fan.\n");
        File.Delete(Path.Combine(folder, "guides", "guide-11.md"));
        var files = Directory.EnumerateFiles(folder, "*.md", SearchOption.AllDirectories).Where(p => !Path.GetFileName(p).StartsWith('.'))
            .Select(p => new SyncFile(Path.GetRelativePath(folder, p).Replace('\\', '/'), Sha256(p))).ToList();
        var plan = await rag.PlanSyncAsync("handbook", files, prune: true);
        Assert.Equal(["guides/guide-03.md"], plan.Send);
        Assert.Equal(["guides/guide-11.md"], plan.Deleted);

        var second = await rag.WaitForJobAsync((await rag.SyncFolderAsync("handbook", folder, new SyncFolderOptions(Prune: true))).Id);
        Assert.Equal(new JobCounts(0, 1, 10, 1, 0), second.Counts);
        Assert.Equal(11, (await rag.GetCollectionAsync("handbook")).Documents);
        Assert.Contains(await rag.ListJobsAsync("handbook"), j => j.Id == second.Id);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));

    private sealed class Recorder(List<Job> seen) : IProgress<Job>
    {
        public void Report(Job value) => seen.Add(value);
    }
}
