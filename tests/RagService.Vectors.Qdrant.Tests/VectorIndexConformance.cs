using RagService.Core.Access;
using RagService.Core.Chunking;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Lexical.Memory;
using RagService.Storage.Sqlite;
using RagService.Tests.Shared;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>
/// What every <see cref="IVectorSearchIndex"/> must do, over a real SQLite store that publishes its writes to it. One
/// subclass per implementation; a subclass whose engine cannot run here names why (<see cref="SkipReason"/>), and its
/// cases are reported as skipped with that reason. The expected answers are worked out by hand from the vectors
/// written, or by a brute-force cosine scan (the reference for the large result).
/// </summary>
public abstract class VectorIndexConformance : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-conformance-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly MixedScriptAnalyzer _analyzer = new();
    private readonly SqliteStoreOptions _storeOptions;
    private readonly SqliteIndexSource _source;
    private readonly MemoryLexicalSearchIndex _lexical;
    private IVectorSearchIndex _vectors = null!;
    private SqliteKnowledgeStore _store = null!;

    protected VectorIndexConformance()
    {
        Directory.CreateDirectory(_dir);
        _storeOptions = new SqliteStoreOptions { DatabasePath = Path.Combine(_dir, "kb.db") };
        _source = new SqliteIndexSource(_storeOptions);
        _lexical = new MemoryLexicalSearchIndex(_source, new Bm25Parameters());
    }

    /// <summary>Why this implementation cannot be tested here, or null.</summary>
    protected abstract string? SkipReason { get; }

    protected string Folder => _dir;

    protected abstract IVectorSearchIndex OpenIndex(IIndexSource source);

    /// <summary>Asserts that nothing of the collection's vectors is left in the engine (files, remote collections).</summary>
    protected abstract void AssertNoVectorsLeft(long collectionId);

    [SkippableFact]
    public async Task Ingest_replace_and_delete_are_seen_by_the_next_search()
    {
        var kb = await StartAsync();
        await WriteAsync(kb, "a", [[1, 0, 0, 0], [0.8f, 0.6f, 0, 0]]);
        await WriteAsync(kb, "b", [[0.6f, 0, 0.8f, 0]]);
        Assert.Equal([("a", 1.0), ("a", 0.8), ("b", 0.6)], await SearchAsync(kb, [1, 0, 0, 0], 10));

        await WriteAsync(kb, "a", [[0, 0.6f, 0, 0.8f]]); // replaced: its two old chunks are gone, one new one scores 0
        Assert.Equal([("b", 0.6), ("a", 0.0)], await SearchAsync(kb, [1, 0, 0, 0], 10));

        await _store.DeleteDocumentAsync(kb, "b", default);
        Assert.Equal([("a", 0.0)], await SearchAsync(kb, [1, 0, 0, 0], 10));
    }

    [SkippableFact]
    public async Task A_document_resaved_while_it_holds_the_highest_ids_is_still_found()
    {
        var kb = await StartAsync();
        await WriteAsync(kb, "b", [[0, 0, 1, 0]]);
        await WriteAsync(kb, "a", [[0, 1, 0, 0]]);
        await WriteAsync(kb, "a", [[1, 0, 0, 0]]); // its chunk is the newest: a store that reuses ids hands the same id back

        Assert.Equal([("a", 1.0), ("b", 0.0)], await SearchAsync(kb, [1, 0, 0, 0], 10));
    }

    [SkippableFact]
    public async Task Each_filter_kind_keeps_exactly_the_documents_the_store_filter_keeps()
    {
        var kb = await StartAsync();
        await WriteAsync(kb, "d1", [[1, 0, 0, 0]], new() { ["lang"] = "en", ["team"] = "x" });
        await WriteAsync(kb, "d2", [[0.8f, 0.6f, 0, 0]], new() { ["lang"] = "zh" });
        await WriteAsync(kb, "d3", [[0.6f, 0.8f, 0, 0]], new() { ["lang"] = "en" });
        var d2 = (await _store.GetDocumentAsync(kb, "d2", default))!;
        await WriteAsync(kb, "d1", [[0.99f, 0.141f, 0, 0]], new() { ["lang"] = "en", ["team"] = "x" }); // replaced: updated moves on, created stays
        var d1 = (await _store.GetDocumentAsync(kb, "d1", default))!;
        Assert.True(d1.UpdatedAt > d2.CreatedAt && d2.CreatedAt > d1.CreatedAt, "the store stamps later writes later");

        var cases = new (SearchFilter Filter, string[] Expected)[]
        {
            (new SearchFilter { DocumentIds = ["d1", "d3", "missing"] }, ["d1", "d3"]),
            (new SearchFilter { Metadata = new Dictionary<string, string> { ["lang"] = "en" } }, ["d1", "d3"]),
            (new SearchFilter { Metadata = new Dictionary<string, string> { ["lang"] = "en", ["team"] = "x" } }, ["d1"]),
            (new SearchFilter { Metadata = new Dictionary<string, string> { ["lang"] = "EN" } }, []),
            (new SearchFilter { CreatedAfter = d2.CreatedAt }, ["d2", "d3"]), // at or after: d2 itself is in
            (new SearchFilter { CreatedBefore = d2.CreatedAt }, ["d1"]),       // strictly before
            (new SearchFilter { UpdatedAfter = d1.UpdatedAt }, ["d1"]),
            (new SearchFilter { UpdatedBefore = d1.UpdatedAt }, ["d2", "d3"]),
            (new SearchFilter { DocumentIds = ["d2", "d3"], Metadata = new Dictionary<string, string> { ["lang"] = "en" } }, ["d3"]),
        };
        foreach (var (filter, expected) in cases)
        {
            var hits = await SearchAsync(kb, [1, 0, 0, 0], 10, filter);
            Assert.Equal(expected, hits.Select(h => h.Doc).Order(StringComparer.Ordinal).ToArray());

            // The store's own filter (SQL) is the reference the engines must agree with.
            var allowed = await _source.ChunksMatchingAsync(kb, filter, default);
            var byStore = (await _store.GetChunksAsync(allowed!.ToList(), default)).Select(c => c.DocumentId).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(byStore, expected);
        }
    }

    [SkippableFact]
    public async Task AnyOf_noneOf_ranges_and_folder_prefixes_keep_the_hand_worked_documents_before_top_k()
    {
        var kb = await StartAsync();
        for (var i = 0; i < RicherFilterCases.Documents.Length; i++)
        {
            // Each document a little further from the query than the one before: a filter applied after the top-k cut
            // would return fewer than the expected documents when the limit is their count.
            var (id, metadata) = RicherFilterCases.Documents[i];
            var angle = i * 0.3;
            await WriteAsync(kb, id, [[(float)Math.Cos(angle), (float)Math.Sin(angle), 0, 0]], metadata);
        }

        foreach (var (name, filter, expected) in RicherFilterCases.Cases())
        {
            var hits = await SearchAsync(kb, [1, 0, 0, 0], Math.Max(1, expected.Length), filter);
            var docs = hits.Select(h => h.Doc).Order(StringComparer.Ordinal).ToArray();
            Assert.True(expected.SequenceEqual(docs), $"{name}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", docs)}]");
        }
    }

    [SkippableTheory]
    [InlineData(UnlistedAccess.Open)]
    [InlineData(UnlistedAccess.Closed)]
    public async Task Access_scopes_keep_exactly_the_documents_they_may_read_before_top_k(UnlistedAccess unlisted)
    {
        var kb = await StartAsync(unlisted);
        // The restricted documents lie nearest the query, so a filter applied after top-k would leave the caller nothing.
        await WriteAsync(kb, "hr", [[1, 0, 0, 0]], access: ["group:hr"]);
        await WriteAsync(kb, "alice", [[0.99f, 0.141f, 0, 0]], access: ["user:alice@corp.example"]);
        await WriteAsync(kb, "opened", [[0.96f, 0.28f, 0, 0]], access: ["group:finance"]);
        await WriteAsync(kb, "closed", [[0.8f, 0.6f, 0, 0]]);
        await WriteAsync(kb, "open", [[0.6f, 0.8f, 0, 0]]);
        Assert.True(await _store.SetDocumentAccessAsync(kb, "opened", null, default));         // restricted, then opened
        Assert.True(await _store.SetDocumentAccessAsync(kb, "closed", ["group:hr"], default)); // opened, then restricted
        Assert.False(await _store.SetDocumentAccessAsync(kb, "missing", ["group:hr"], default));

        var unlistedDocs = unlisted == UnlistedAccess.Open ? new[] { "open", "opened" } : [];
        var cases = new (AccessScope? Scope, string[] Expected)[]
        {
            (null, ["alice", "closed", "hr", "open", "opened"]), // admin
            (new AccessScope([]), unlistedDocs),
            (new AccessScope(["user:alice@corp.example"]), ["alice", .. unlistedDocs]),
            (new AccessScope(["group:hr", "user:bob@corp.example"]), ["closed", "hr", .. unlistedDocs]),
            (new AccessScope(["group:finance"]), unlistedDocs), // finance lost "opened" to the collection's default
            (new AccessScope(["group:HR"]), unlistedDocs),      // principals compare exactly
        };
        foreach (var (scope, expected) in cases)
        {
            var filter = new SearchFilter { Access = scope };
            var hits = await SearchAsync(kb, [1, 0, 0, 0], 10, filter);
            Assert.Equal(expected.Order(StringComparer.Ordinal), hits.Select(h => h.Doc).Order(StringComparer.Ordinal));

            // Top-1 is the best document the scope may read, whatever restricted ones score.
            var best = await SearchAsync(kb, [1, 0, 0, 0], 1, filter);
            Assert.Equal(hits.Take(1).Select(h => h.Doc), best.Select(h => h.Doc));

            var allowed = await _source.ChunksMatchingAsync(kb, filter, default);
            var byStore = allowed is null ? expected : (await _store.GetChunksAsync(allowed.ToList(), default)).Select(c => c.DocumentId).ToArray();
            Assert.Equal(expected.Order(StringComparer.Ordinal), byStore.Order(StringComparer.Ordinal));
        }

        // Access combines with the other conditions: each must hold.
        var both = new SearchFilter { Access = new AccessScope(["group:hr"]), DocumentIds = ["closed", "alice", "open"] };
        Assert.Equal(unlisted == UnlistedAccess.Open ? ["closed", "open"] : ["closed"], (await SearchAsync(kb, [1, 0, 0, 0], 10, both)).Select(h => h.Doc));
    }

    [SkippableFact]
    public async Task A_hit_only_dense_retrieval_finds_survives_fusion()
    {
        var kb = await StartAsync();
        await WriteAsync(kb, "lexical", [[0, 1, 0, 0]], text: "zebra stripes");
        await WriteAsync(kb, "semantic", [[1, 0, 0, 0]], text: "quokka island");
        var embedder = new TableEmbedder(new Dictionary<string, float[]> { ["zebra"] = [1, 0, 0, 0] });
        var search = SearchComposition.Compose(_store, _lexical, new AnalyzerCatalog(_analyzer), _vectors, embedder);

        var outcome = await search.SearchAsync(kb, new SearchQuery { Query = "zebra", Mode = RetrievalMode.Hybrid, TopK = 5 }, default);

        var semantic = Assert.Single(outcome.Hits, h => h.Chunk.DocumentId == "semantic");
        Assert.Equal(1, semantic.Provenance.DenseRank);
        Assert.Null(semantic.Provenance.Bm25Rank);
        Assert.Contains(outcome.Hits, h => h.Chunk.DocumentId == "lexical");
        var dense = Assert.Single(outcome.Stages, s => s.Stage == "dense");
        Assert.Equal(("ok", _vectors.Engine), (dense.Status, dense.Engine));
    }

    [SkippableFact]
    public async Task A_large_result_comes_whole_and_in_order()
    {
        var kb = await StartAsync();
        var random = new Random(7);
        var written = new List<float[]>();
        for (var d = 0; d < 12; d++)
        {
            // Unit vectors, as embedding models write them (the embedded engine scores by dot product).
            var vectors = Enumerable.Range(0, 100).Select(_ => Unit(Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray())).ToArray();
            written.AddRange(vectors);
            await WriteAsync(kb, $"doc-{d}", vectors);
        }

        var query = Unit([0.3f, -0.2f, 0.9f, 0.1f, 0f, 0.5f, -0.7f, 0.2f]);
        var hits = await _vectors.SearchAsync(kb, query, 1_100, SearchFilter.None, default);

        var reference = written.Select(v => Cosine(query, v)).OrderDescending().Take(1_100).ToList();
        Assert.Equal(1_100, hits.Count);
        Assert.Equal(1_100, hits.Select(h => h.ChunkId).Distinct().Count());
        for (var i = 0; i < reference.Count; i++)
        {
            Assert.True(Math.Abs(reference[i] - hits[i].Score) < 1e-4, $"rank {i + 1}: {hits[i].Score} where the scan says {reference[i]}");
        }
    }

    [SkippableFact]
    public async Task A_restarted_engine_answers_as_before()
    {
        var kb = await StartAsync();
        await WriteAsync(kb, "a", [[1, 0, 0, 0], [0.8f, 0.6f, 0, 0]]);
        await WriteAsync(kb, "b", [[0.6f, 0, 0.8f, 0]]);
        var before = await SearchAsync(kb, [1, 0, 0, 0], 10, new SearchFilter { DocumentIds = ["a"] });

        (_vectors as IDisposable)?.Dispose();
        _vectors = OpenIndex(_source);
        _store = new SqliteKnowledgeStore(_storeOptions, [_lexical, _vectors]);

        Assert.Equal([("a", 1.0), ("a", 0.8)], before);
        Assert.Equal(before, await SearchAsync(kb, [1, 0, 0, 0], 10, new SearchFilter { DocumentIds = ["a"] }));
    }

    [SkippableFact]
    public async Task Deleting_a_collection_removes_its_vectors()
    {
        var kb = await StartAsync();
        await WriteAsync(kb, "a", [[1, 0, 0, 0]]);
        Assert.Single(await SearchAsync(kb, [1, 0, 0, 0], 10));

        Assert.True(await _store.DeleteCollectionAsync("kb", default));
        AssertNoVectorsLeft(kb.Id);

        var again = await _store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        Assert.Empty(await SearchAsync(again, [1, 0, 0, 0], 10));
        await WriteAsync(again, "new", [[0.8f, 0.6f, 0, 0]]);
        Assert.Equal([("new", 0.8)], await SearchAsync(again, [1, 0, 0, 0], 10));
    }

    public void Dispose()
    {
        (_vectors as IDisposable)?.Dispose();
        _lexical.Dispose();
        Cleanup();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Removes what the engine keeps outside the test folder.</summary>
    protected virtual void Cleanup()
    {
    }

    private async Task<CollectionInfo> StartAsync(UnlistedAccess unlisted = UnlistedAccess.Open)
    {
        Skip.If(SkipReason is not null, SkipReason);
        _vectors = OpenIndex(_source);
        _store = new SqliteKnowledgeStore(_storeOptions, [_lexical, _vectors]);
        return await _store.CreateCollectionAsync("kb", new CollectionSettings { UnlistedAccess = unlisted }, default);
    }

    private async Task WriteAsync(CollectionInfo kb, string id, float[][] vectors, Dictionary<string, string>? metadata = null, string? text = null,
        IReadOnlyList<string>? access = null)
    {
        var chunks = vectors.Select((v, i) =>
        {
            var chunkText = text ?? $"{id} part {i}";
            return new IndexedChunk(new Chunk(i, chunkText, [], null), _analyzer.Analyze(chunkText), [], v);
        }).ToList();
        var hash = id + string.Join(';', vectors.Select(v => string.Join(',', v)));
        await _store.UpsertDocumentAsync(kb, new DocumentWrite(id, null, hash, "text", metadata ?? [], chunks) { Access = access }, default);
    }

    /// <summary>The hits as (document id, score rounded to 4 places), best first.</summary>
    private async Task<List<(string Doc, double Score)>> SearchAsync(CollectionInfo kb, float[] query, int limit, SearchFilter? filter = null)
    {
        var hits = await _vectors.SearchAsync(kb, query, limit, filter ?? SearchFilter.None, default);
        var chunks = (await _store.GetChunksAsync(hits.Select(h => h.ChunkId).ToList(), default)).ToDictionary(c => c.ChunkId);
        return hits.Select(h => (chunks[h.ChunkId].DocumentId, Math.Round(h.Score, 3))).ToList();
    }

    private static float[] Unit(float[] v)
    {
        var norm = (float)Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    /// <summary>Embeds by table lookup, so the test decides which chunk is nearest to the query, whatever its words.</summary>
    private sealed class TableEmbedder(IReadOnlyDictionary<string, float[]> table) : ITextEmbedder
    {
        public string ModelId => "table";

        public int Dimension => 4;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken) =>
            Task.FromResult(texts.Select(t => table.TryGetValue(t, out var v) ? v : new float[Dimension]).ToArray());
    }
}
