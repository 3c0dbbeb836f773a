using RagService.Core.Chunking;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Storage;
using RagService.Lexical.Memory;
using RagService.Storage.Sqlite;

namespace RagService.Lexical.Lucene.Tests;

/// <summary>
/// Both BM25 engines against scores worked out by hand on a three-chunk corpus (terms given directly, no analyzer):
///   A: body [a b]          header []     length 2
///   B: body [a a c]        header []     length 3
///   C: body [c]            header [a]    length 2
/// k1 = 1.2, b = 0.75, header weight w = 4; N = 3, avgdl = 7/3.
/// BM25F: tf = body tf + w × header tf, saturated once against the whole length: idf × tf / (tf + k1 (1 − b + b·len/avgdl)),
/// idf = ln(1 + (N − n + 0.5)/(n + 0.5)), n = chunks with the term in either field.
/// </summary>
public sealed class Bm25OracleTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-oracle-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<IDisposable> _owned = [];

    // Length norms: k1 (1 − b + b·len/avgdl) with avgdl = 7/3.
    private const double NormLen2 = 1.2 * (0.25 + 0.75 * 2 * 3 / 7.0); // 1.0714286
    private const double NormLen3 = 1.2 * (0.25 + 0.75 * 3 * 3 / 7.0); // 1.4571429

    public static TheoryData<string> Engines => ["memory", "lucene"];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Single_term_scores_are_the_hand_computed_bm25f(string engine)
    {
        var (store, lexical, collection) = await CorpusAsync(engine);

        // "a": in all three chunks: idf = ln(1 + 0.5/3.5) = ln(8/7) = 0.1335314.
        var idfA = Math.Log(8.0 / 7.0);
        var hits = await lexical.SearchAsync(collection, ["a"], 10, SearchFilter.None, default);
        Assert.Equal(["C", "B", "A"], await KeysAsync(store, hits));
        // C: tf = 0 + 4×1 = 4 (the header term counts four times but saturates once, with the body): 0.1053205.
        Assert.Equal(0.1053205, hits[0].Score, 1e-6);
        Assert.Equal(idfA * 4 / (4 + NormLen2), hits[0].Score, 1e-9);
        // B: tf = 2, length 3: 0.0772496.
        Assert.Equal(0.0772496, hits[1].Score, 1e-6);
        // A: tf = 1, length 2: 0.0644634.
        Assert.Equal(0.0644634, hits[2].Score, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Query_terms_add_and_a_repeated_term_counts_twice(string engine)
    {
        var (store, lexical, collection) = await CorpusAsync(engine);

        // "c": in B and C: idf = ln(1 + 1.5/2.5) = ln 1.6 = 0.4700036. B: 0.4700036 / (1 + 1.4571429) = 0.1912805; C: / (1 + 1.0714286) = 0.2268983.
        // "a c": C = 0.1053205 + 0.2268983 = 0.3322188; B = 0.0772496 + 0.1912805 = 0.2685301; A = 0.0644634.
        var hits = await lexical.SearchAsync(collection, ["a", "c"], 10, SearchFilter.None, default);
        Assert.Equal(["C", "B", "A"], await KeysAsync(store, hits));
        Assert.Equal(0.3322188, hits[0].Score, 1e-6);
        Assert.Equal(0.2685301, hits[1].Score, 1e-6);
        Assert.Equal(0.0644634, hits[2].Score, 1e-6);

        // "c c": each repeat adds the term's score again: C = 2 × 0.2268983.
        var twice = await lexical.SearchAsync(collection, ["c", "c"], 10, SearchFilter.None, default);
        Assert.Equal(0.4537966, twice[0].Score, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_deleted_chunk_leaves_the_statistics(string engine)
    {
        var (store, lexical, collection) = await CorpusAsync(engine);
        await store.DeleteDocumentAsync(collection, "A", default);

        // N = 2, avgdl = (3 + 2)/2 = 2.5; "a" in B and C: idf = ln(1 + 0.5/2.5) = ln 1.2 = 0.1823216.
        // C: norm 1.2 (0.25 + 0.75·2/2.5) = 1.02, tf 4: 0.1823216 × 4 / 5.02 = 0.1452761.
        // B: norm 1.2 (0.25 + 0.75·3/2.5) = 1.38, tf 2: 0.1823216 × 2 / 3.38 = 0.1078826.
        var hits = await lexical.SearchAsync(collection, ["a"], 10, SearchFilter.None, default);
        Assert.Equal(["C", "B"], await KeysAsync(store, hits));
        Assert.Equal(0.1452761, hits[0].Score, 1e-6);
        Assert.Equal(0.1078826, hits[1].Score, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_filter_keeps_the_scores_and_drops_the_rest(string engine)
    {
        var (store, lexical, collection) = await CorpusAsync(engine);
        var hits = await lexical.SearchAsync(collection, ["a"], 10, new SearchFilter { DocumentIds = ["A", "B"] }, default);
        Assert.Equal(["B", "A"], await KeysAsync(store, hits));
        Assert.Equal(0.0772496, hits[0].Score, 1e-6);
    }

    private async Task<(SqliteKnowledgeStore Store, ILexicalSearchIndex Lexical, CollectionInfo Collection)> CorpusAsync(string engine)
    {
        var options = new SqliteStoreOptions { DatabasePath = Path.Combine(_dir, "kb.db") };
        var source = new SqliteIndexSource(options);
        var bm25 = new Bm25Parameters { K1 = 1.2, B = 0.75, HeaderWeight = 4 };
        ILexicalSearchIndex lexical = engine == "memory"
            ? new MemoryLexicalSearchIndex(source, bm25)
            : new LuceneLexicalSearchIndex(source, new LuceneOptions { Directory = Path.Combine(_dir, "lucene"), Bm25 = bm25 });
        _owned.Add((IDisposable)lexical);
        var store = new SqliteKnowledgeStore(options, [lexical]);
        var collection = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await WriteAsync(store, collection, "A", ["a", "b"], []);
        await WriteAsync(store, collection, "B", ["a", "a", "c"], []);
        await WriteAsync(store, collection, "C", ["c"], ["a"]);
        return (store, lexical, collection);
    }

    private static Task WriteAsync(SqliteKnowledgeStore store, CollectionInfo c, string id, string[] body, string[] header) =>
        store.UpsertDocumentAsync(c, new DocumentWrite(id, null, id, "text", new Dictionary<string, string>(),
            [new IndexedChunk(new Chunk(0, string.Join(' ', body), [], null), body, header)]), default);

    private static Task<IReadOnlyList<string>> KeysAsync(SqliteKnowledgeStore store, IReadOnlyList<ScoredChunk> hits) => IndexTestFiles.DocumentIdsAsync(store, hits);

    public void Dispose() => IndexTestFiles.Remove(_dir, _owned);
}
