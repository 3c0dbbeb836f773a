using Microsoft.Data.Sqlite;
using RagService.Core.Chunking;
using RagService.Core.Documents;
using RagService.Core.Indexing;
using RagService.Core.Ingestion;
using RagService.Core.Lexical;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Lexical.Memory;
using RagService.Tests.Shared;

namespace RagService.Storage.Sqlite.Tests;

public sealed class SqliteKnowledgeStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-store-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly MixedScriptAnalyzer _analyzer = new();

    private string Db => Path.Combine(_dir, "kb.db");

    private readonly List<MemoryLexicalSearchIndex> _engines = [];

    /// <summary>A store with its in-memory BM25 engine, as the service composes them.</summary>
    private (SqliteKnowledgeStore Store, SearchService Search) Open()
    {
        var options = new SqliteStoreOptions { DatabasePath = Db };
        var lexical = new MemoryLexicalSearchIndex(new SqliteIndexSource(options), new Bm25Parameters());
        _engines.Add(lexical);
        var store = new SqliteKnowledgeStore(options, [lexical]);
        return (store, SearchComposition.Compose(store, lexical, new AnalyzerCatalog(_analyzer)));
    }

    private static IngestRequest Doc(string id, string text, string? title = null) =>
        new(id, title, new ExtractedDocument(title, [new DocumentBlock(BlockKind.Paragraph, text)], "text"), new Dictionary<string, string>());

    private static async Task<IReadOnlyList<string>> SearchAsync(SearchService search, CollectionInfo c, string q)
    {
        var outcome = await search.SearchAsync(c, new SearchQuery { Query = q, Mode = RetrievalMode.Bm25 }, default);
        return outcome.Hits.Select(h => h.Chunk.DocumentId).ToList();
    }

    [Fact]
    public async Task A_write_by_another_process_is_seen_by_the_next_search()
    {
        var (serving, search) = Open();
        var c = await serving.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await new IngestionService(serving, new AnalyzerCatalog(_analyzer)).IngestAsync(c, Doc("a", "苹果手机的电池续航"), default);
        Assert.Equal(["a"], await SearchAsync(search, c, "电池"));

        // A second store on the same file, without the serving engine, stands for another process (e.g. the CLI) writing.
        var other = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = Db });
        await new IngestionService(other, new AnalyzerCatalog(_analyzer)).IngestAsync(c, Doc("b", "电池更换服务的价格"), default);
        await other.DeleteDocumentAsync(c, "a", default);

        Assert.Equal(["b"], await SearchAsync(search, c, "电池"));
    }

    [Fact]
    public async Task A_collection_delete_that_an_index_fails_to_drop_still_succeeds_and_the_other_indexes_drop_it()
    {
        var options = new SqliteStoreOptions { DatabasePath = Db };
        var lexical = new MemoryLexicalSearchIndex(new SqliteIndexSource(options), new Bm25Parameters());
        _engines.Add(lexical);
        var failing = new IndexFailingToDrop();
        var store = new SqliteKnowledgeStore(options, [failing, lexical]);
        var search = SearchComposition.Compose(store, lexical, new AnalyzerCatalog(_analyzer));
        var c = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await new IngestionService(store, new AnalyzerCatalog(_analyzer)).IngestAsync(c, Doc("a", "苹果手机的电池续航"), default);
        Assert.Equal(["a"], await SearchAsync(search, c, "电池"));

        // The delete is committed before the indexes hear of it: one index's failure must not turn it into an error.
        Assert.True(await store.DeleteCollectionAsync("kb", default));
        Assert.Equal([c.Id], failing.DropsTried);
        Assert.Null(await store.GetCollectionAsync("kb", default));
        Assert.Null(lexical.HeldVersion(c.Id));
    }

    /// <summary>An index whose folder cannot be removed (a search reopened it meanwhile, say).</summary>
    private sealed class IndexFailingToDrop : ISearchIndex
    {
        public List<long> DropsTried { get; } = [];

        public string Engine => "failing";

        public void Apply(IndexChange change)
        {
        }

        public void Drop(long collectionId)
        {
            DropsTried.Add(collectionId);
            throw new IOException("Directory not empty");
        }

        public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct) => Task.FromResult(new IndexStats(Engine, 0, 0, "not loaded"));

        public Task<RagService.Core.Models.ComponentStatus> CheckAsync(CancellationToken ct) =>
            Task.FromResult(RagService.Core.Models.ComponentStatus.On(Engine, "test"));
    }

    [Fact]
    public async Task A_database_written_with_fts5_tables_has_its_terms_moved_and_stays_searchable()
    {
        var (store, search) = Open();
        var c = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await new IngestionService(store, new AnalyzerCatalog(_analyzer)).IngestAsync(c, Doc("a", "苹果手机的电池续航"), default);

        // Turn the file into what the FTS5 engine left: the terms in fts_<collection id>, none in chunk_terms.
        using (var connection = new SqliteConnection($"Data Source={Db}"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"""
                CREATE VIRTUAL TABLE fts_{c.Id} USING fts5(body, header);
                INSERT INTO fts_{c.Id}(rowid, body, header) SELECT chunk_id, body, header FROM chunk_terms;
                DELETE FROM chunk_terms;
                UPDATE collections SET version = version + 1;
                """;
            cmd.ExecuteNonQuery();
        }

        var (_, reopened) = Open();
        Assert.Equal(["a"], await SearchAsync(reopened, c, "电池"));
        using var check = new SqliteConnection($"Data Source={Db}");
        check.Open();
        using var tables = check.CreateCommand();
        tables.CommandText = "SELECT count(*) FROM sqlite_master WHERE name LIKE 'fts_%'";
        Assert.Equal(0L, (long)tables.ExecuteScalar()!);
    }

    [Fact]
    public async Task A_failed_write_leaves_the_previous_version_whole()
    {
        var (store, search) = Open();
        var c = await store.CreateCollectionAsync("kb", new CollectionSettings { Chunking = new ChunkingOptions { MaxSize = 40, Overlap = 0 } }, default);
        var ingestion = new IngestionService(store, new AnalyzerCatalog(_analyzer));
        await ingestion.IngestAsync(c, Doc("d", "第一版内容。第一版的第二句话在这里。"), default);
        var before = await store.GetDocumentAsync(c, "d", default);

        // A cancelled write (the caller went away mid-transaction) must roll back completely.
        using var cts = new CancellationTokenSource();
        var chunks = Enumerable.Range(0, 50).Select(i => new IndexedChunk(new Chunk(i, $"第二版第{i}段。", [], null), _analyzer.Analyze($"第二版第{i}段"), [])).ToList();
        var write = new DocumentWrite("d", null, "new-hash", "text", new Dictionary<string, string>(), new CancelAtChunk(chunks, 25, cts));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.UpsertDocumentAsync(c, write, cts.Token));

        var after = await store.GetDocumentAsync(c, "d", default);
        Assert.Equal((before!.ContentHash, before.ChunkCount, before.UpdatedAt), (after!.ContentHash, after.ChunkCount, after.UpdatedAt));
        Assert.Equal(["d"], await SearchAsync(search, c, "第一版"));
        var texts = (await search.SearchAsync(c, new SearchQuery { Query = "第二版", Mode = RetrievalMode.Bm25 }, default)).Hits.Select(h => h.Chunk.Text);
        Assert.DoesNotContain(texts, t => t.Contains("第二版", StringComparison.Ordinal));
        var stats = await store.GetStatsAsync(c, null, default);
        Assert.Equal(before.ChunkCount, stats.Chunks);
    }

    public void Dispose()
    {
        _engines.ForEach(e => e.Dispose());
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
