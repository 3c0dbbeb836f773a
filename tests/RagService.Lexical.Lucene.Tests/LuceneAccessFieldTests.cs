using RagService.Core.Access;
using RagService.Core.Chunking;
using RagService.Core.Indexing;
using RagService.Core.Storage;
using RagService.Storage.Sqlite;

namespace RagService.Lexical.Lucene.Tests;

/// <summary>
/// The Lucene engine enforces a caller's access with the indexed access field, not with chunk ids the store resolves:
/// the store is never asked to resolve an access-only filter (<see cref="CountingSource"/>). Four one-chunk documents,
/// each with the term "a" once and a length that orders them (shorter scores higher: O, H, F, U):
///   O: no list;  H: group:hr;  F: group:finance;  U: user:alice.
/// Who sees what, by hand: in an open collection a scope sees O plus the documents naming one of its principals; in a
/// closed one only the latter; an admin (no scope) sees all four.
/// </summary>
public sealed class LuceneAccessFieldTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-lucene-acl-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<IDisposable> _owned = [];

    public static TheoryData<UnlistedAccess, string[], string[]> Scopes => new()
    {
        { UnlistedAccess.Open, [], ["O"] },
        { UnlistedAccess.Open, ["group:hr"], ["O", "H"] },
        { UnlistedAccess.Open, ["group:finance", "user:alice"], ["O", "F", "U"] },
        { UnlistedAccess.Open, ["group:sales"], ["O"] },
        { UnlistedAccess.Closed, [], [] },
        { UnlistedAccess.Closed, ["group:hr"], ["H"] },
        { UnlistedAccess.Closed, ["group:hr", "group:finance", "user:alice"], ["H", "F", "U"] },
    };

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task A_scope_gets_exactly_the_documents_its_principals_or_the_open_default_allow(UnlistedAccess unlisted, string[] principals, string[] expected)
    {
        var (store, lucene, source, kb) = await CorpusAsync(unlisted);

        var hits = await lucene.SearchAsync(kb, ["a"], 10, new SearchFilter { Access = new AccessScope(principals) }, default);

        Assert.Equal(expected, await KeysAsync(store, hits));
        Assert.Equal(0, source.Resolved);
    }

    [Fact]
    public async Task An_admin_search_is_not_filtered()
    {
        var (store, lucene, _, kb) = await CorpusAsync(UnlistedAccess.Closed);
        Assert.Equal(["O", "H", "F", "U"], await KeysAsync(store, await lucene.SearchAsync(kb, ["a"], 10, SearchFilter.None, default)));
    }

    [Fact]
    public async Task A_scope_and_another_condition_both_hold_before_the_top_k()
    {
        var (store, lucene, source, kb) = await CorpusAsync(UnlistedAccess.Open);
        var filter = new SearchFilter { Access = new AccessScope(["group:hr"]), DocumentIds = ["H", "F"] };

        // Top 1: O would rank first and F is hidden; H is the only chunk passing both.
        Assert.Equal(["H"], await KeysAsync(store, await lucene.SearchAsync(kb, ["a"], 1, filter, default)));
        Assert.Equal(1, source.Resolved);
    }

    [Fact]
    public async Task An_access_change_reaches_the_index_keeps_the_chunk_and_survives_a_restart()
    {
        var (store, lucene, source, kb) = await CorpusAsync(UnlistedAccess.Open);
        var hr = new SearchFilter { Access = new AccessScope(["group:hr"]) };
        var finance = new SearchFilter { Access = new AccessScope(["group:finance"]) };
        var before = await lucene.SearchAsync(kb, ["a"], 10, hr, default);

        Assert.True(await store.SetDocumentAccessAsync(kb, "H", ["group:finance"], default));

        Assert.Equal(["O"], await KeysAsync(store, await lucene.SearchAsync(kb, ["a"], 10, hr, default)));
        var after = await lucene.SearchAsync(kb, ["a"], 10, finance, default);
        Assert.Equal(["O", "H", "F"], await KeysAsync(store, after));
        Assert.Equal(before[1].ChunkId, after[1].ChunkId);

        // Closed and reopened: the index on disk is reused (not rebuilt from the store) and holds the new list.
        lucene.Dispose();
        _owned.Remove(lucene);
        var reopened = Open(source);
        Assert.Equal(["O", "H", "F"], await KeysAsync(store, await reopened.SearchAsync(kb, ["a"], 10, finance, default)));
        Assert.Equal(["O"], await KeysAsync(store, await reopened.SearchAsync(kb, ["a"], 10, hr, default)));
        Assert.Equal("loaded", (await reopened.GetStatsAsync(kb, default)).Load);
        Assert.Equal(0, source.Resolved);
    }

    [Fact]
    public async Task Another_writers_access_change_is_caught_up_from_the_change_log_without_a_rebuild()
    {
        var (store, lucene, _, kb) = await CorpusAsync(UnlistedAccess.Open);
        var alice = new SearchFilter { Access = new AccessScope(["user:alice"]) };
        Assert.Equal(["O", "U"], await KeysAsync(store, await lucene.SearchAsync(kb, ["a"], 10, alice, default)));

        // A second store object on the same file without this index: another replica's PUT .../access.
        var other = new SqliteKnowledgeStore(Options, []);
        Assert.True(await other.SetDocumentAccessAsync(kb, "H", ["user:alice"], default));
        Assert.True(await other.SetDocumentAccessAsync(kb, "U", null, default));

        Assert.Equal(["O", "H", "U"], await KeysAsync(store, await lucene.SearchAsync(kb, ["a"], 10, alice, default)));
        Assert.Equal(["O", "U"], await KeysAsync(store, await lucene.SearchAsync(kb, ["a"], 10, new SearchFilter { Access = new AccessScope([]) }, default)));
        var stats = await lucene.GetStatsAsync(kb, default);
        Assert.Equal(0, stats.Follow!.Rebuilds);
        Assert.Equal(2, stats.Follow.VersionsFromLog);
    }

    private SqliteStoreOptions Options => new() { DatabasePath = Path.Combine(_dir, "kb.db") };

    private LuceneLexicalSearchIndex Open(IIndexSource source)
    {
        var lucene = new LuceneLexicalSearchIndex(source, new LuceneOptions { Directory = Path.Combine(_dir, "lucene") }, new SqliteChangeFeed(Options));
        _owned.Add(lucene);
        return lucene;
    }

    private async Task<(SqliteKnowledgeStore Store, LuceneLexicalSearchIndex Lucene, CountingSource Source, CollectionInfo Kb)> CorpusAsync(UnlistedAccess unlisted)
    {
        var source = new CountingSource(new SqliteIndexSource(Options));
        var lucene = Open(source);
        var store = new SqliteKnowledgeStore(Options, [lucene]);
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings { UnlistedAccess = unlisted }, default);
        await WriteAsync(store, kb, "O", null, 1);
        await WriteAsync(store, kb, "H", ["group:hr"], 2);
        await WriteAsync(store, kb, "F", ["group:finance"], 3);
        await WriteAsync(store, kb, "U", ["user:alice"], 4);
        return (store, lucene, source, kb);
    }

    /// <summary>One chunk: "a" and <paramref name="padding"/> filler terms (a longer chunk scores lower).</summary>
    private static Task WriteAsync(SqliteKnowledgeStore store, CollectionInfo kb, string id, string[]? access, int padding)
    {
        string[] body = ["a", .. Enumerable.Repeat("pad", padding)];
        return store.UpsertDocumentAsync(kb, new DocumentWrite(id, null, id, "text", new Dictionary<string, string>(),
            [new IndexedChunk(new Chunk(0, string.Join(' ', body), [], null), body, [])]) { Access = access }, default);
    }

    private static Task<IReadOnlyList<string>> KeysAsync(SqliteKnowledgeStore store, IReadOnlyList<ScoredChunk> hits) => IndexTestFiles.DocumentIdsAsync(store, hits);

    /// <summary>The store's index source, counting the filters it resolves to chunk ids.</summary>
    private sealed class CountingSource(IIndexSource inner) : IIndexSource
    {
        private int _resolved;

        public int Resolved => Volatile.Read(ref _resolved);

        public Task<long> GetVersionAsync(long collectionId, CancellationToken ct) => inner.GetVersionAsync(collectionId, ct);

        public Task<long> ReadCommittedVersionAsync(long collectionId, CancellationToken ct) => inner.ReadCommittedVersionAsync(collectionId, ct);

        public Task<IReadOnlySet<long>?> ChunksMatchingAsync(CollectionInfo collection, SearchFilter filter, CancellationToken ct)
        {
            Interlocked.Increment(ref _resolved);
            return inner.ChunksMatchingAsync(collection, filter, ct);
        }

        public IIndexSnapshot OpenSnapshot(long collectionId) => inner.OpenSnapshot(collectionId);
    }

    public void Dispose() => IndexTestFiles.Remove(_dir, _owned);
}
