using Microsoft.Data.Sqlite;
using RagService.Core.Chunking;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Storage.Sqlite.Tests;

public sealed class SqliteKnowledgeStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-store-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly MixedScriptAnalyzer _analyzer = new();

    private string Db => Path.Combine(_dir, "kb.db");

    private SqliteKnowledgeStore Store(string engine = "memory") => new(new SqliteStoreOptions { DatabasePath = Db, Bm25Engine = engine });

    private static IngestRequest Doc(string id, string text, string? title = null) =>
        new(id, title, new ExtractedDocument(title, [new DocumentBlock(BlockKind.Paragraph, text)], "text"), new Dictionary<string, string>());

    private async Task<IReadOnlyList<string>> SearchAsync(SqliteKnowledgeStore store, CollectionInfo c, string q)
    {
        var outcome = await new SearchService(store, _analyzer).SearchAsync(c, new SearchQuery { Query = q, Mode = RetrievalMode.Bm25 }, default);
        return outcome.Hits.Select(h => h.Chunk.DocumentId).ToList();
    }

    [Fact]
    public async Task A_write_by_another_process_is_seen_by_the_next_search()
    {
        using var serving = Store();
        var c = await serving.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await new IngestionService(serving, _analyzer).IngestAsync(c, Doc("a", "苹果手机的电池续航"), default);
        Assert.Equal(["a"], await SearchAsync(serving, c, "电池"));

        // A second store on the same file stands for another process (e.g. the CLI) writing to the knowledge base.
        using var other = Store();
        await new IngestionService(other, _analyzer).IngestAsync(c, Doc("b", "电池更换服务的价格"), default);
        await other.DeleteDocumentAsync(c, "a", default);

        Assert.Equal(["b"], await SearchAsync(serving, c, "电池"));
    }

    [Fact]
    public async Task Memory_and_fts5_engines_find_the_same_documents()
    {
        var texts = new[]
        {
            ("menu", "玛格丽特披萨29元，香肠披萨33元，超级至尊披萨38元。"),
            ("promo", "本周所有披萨外卖立减5元。"),
            ("faq", "错误代码XYZ-123表示温度传感器异常。"),
        };
        using (var writer = Store())
        {
            var c = await writer.CreateCollectionAsync("kb", new CollectionSettings(), default);
            foreach (var (id, text) in texts)
            {
                await new IngestionService(writer, _analyzer).IngestAsync(c, Doc(id, text), default);
            }
        }

        using var memory = Store("memory");
        using var fts = Store("fts5");
        var collection = (await memory.GetCollectionAsync("kb", default))!;
        foreach (var q in new[] { "XYZ-123", "披萨外卖优惠", "至尊披萨多少钱" })
        {
            Assert.Equal((await SearchAsync(fts, collection, q))[0], (await SearchAsync(memory, collection, q))[0]);
            Assert.Equal((await SearchAsync(fts, collection, q)).Order(), (await SearchAsync(memory, collection, q)).Order());
        }
    }

    [Fact]
    public async Task A_failed_write_leaves_the_previous_version_whole()
    {
        using var store = Store();
        var c = await store.CreateCollectionAsync("kb", new CollectionSettings { Chunking = new ChunkingOptions { MaxSize = 40, Overlap = 0 } }, default);
        var ingestion = new IngestionService(store, _analyzer);
        await ingestion.IngestAsync(c, Doc("d", "第一版内容。第一版的第二句话在这里。"), default);
        var before = await store.GetDocumentAsync(c, "d", default);

        // A cancelled write (the caller went away mid-transaction) must roll back completely.
        using var cts = new CancellationTokenSource();
        var chunks = Enumerable.Range(0, 50).Select(i => new IndexedChunk(new Chunk(i, $"第二版第{i}段。", [], null), _analyzer.Analyze($"第二版第{i}段"), [])).ToList();
        var write = new DocumentWrite("d", null, "new-hash", "text", new Dictionary<string, string>(), new CancelAfter(chunks, 25, cts));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UpsertDocumentAsync(c, write, cts.Token));

        var after = await store.GetDocumentAsync(c, "d", default);
        Assert.Equal((before!.ContentHash, before.ChunkCount, before.UpdatedAt), (after!.ContentHash, after.ChunkCount, after.UpdatedAt));
        Assert.Equal(["d"], await SearchAsync(store, c, "第一版"));
        var texts = (await new SearchService(store, _analyzer).SearchAsync(c, new SearchQuery { Query = "第二版", Mode = RetrievalMode.Bm25 }, default)).Hits.Select(h => h.Chunk.Text);
        Assert.DoesNotContain(texts, t => t.Contains("第二版", StringComparison.Ordinal));
        var stats = await store.GetStatsAsync(c, default);
        Assert.Equal(before.ChunkCount, stats.Chunks);
    }

    [Fact]
    public async Task Collection_stats_report_the_vector_graph_connectivity()
    {
        using var store = Store();
        var c = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        Assert.Null((await store.GetStatsAsync(c, default)).VectorGraph);

        var random = new Random(3);
        float[] UnitVector()
        {
            var v = Enumerable.Range(0, 16).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var norm = MathF.Sqrt(v.Sum(x => x * x));
            return v.Select(x => x / norm).ToArray();
        }

        var chunks = Enumerable.Range(0, 300).Select(i => new IndexedChunk(new Chunk(i, $"chunk {i}", [], null), [$"t{i}"], [], UnitVector())).ToList();
        await store.UpsertDocumentAsync(c, new DocumentWrite("d", null, "hash", "text", new Dictionary<string, string>(), chunks), default);

        var graph = (await store.GetStatsAsync(c, default)).VectorGraph;
        Assert.NotNull(graph);
        Assert.Equal(300, graph.Vectors);
        Assert.Equal(0, graph.UnreachableVectors);
        Assert.Equal(0, graph.Level0Unreachable);
    }

    /// <summary>A chunk list that cancels the token when the writer reaches a given chunk.</summary>
    private sealed class CancelAfter(IReadOnlyList<IndexedChunk> inner, int at, CancellationTokenSource cts) : IReadOnlyList<IndexedChunk>
    {
        public IndexedChunk this[int index] => inner[index];
        public int Count => inner.Count;

        public IEnumerator<IndexedChunk> GetEnumerator()
        {
            for (var i = 0; i < inner.Count; i++)
            {
                if (i == at)
                {
                    cts.Cancel();
                }

                yield return inner[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
