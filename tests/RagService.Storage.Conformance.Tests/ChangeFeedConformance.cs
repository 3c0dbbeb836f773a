using RagService.Core.Access;
using Npgsql;
using RagService.Core.ChangeLog;
using RagService.Core.Chunking;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Storage;
using RagService.Lexical.Lucene;
using RagService.Lexical.Memory;
using RagService.Storage.Postgres;
using RagService.Storage.Sqlite;
using RagService.Tests.Shared;
using RagService.Vectors.Hnsw;

namespace RagService.Storage.Conformance.Tests;

/// <summary>
/// The store's change log and the three derived engines following it, per store. "Replica A" holds the indexes;
/// "replica B" is another store object on the same database with no indexes, standing for another process. Expected
/// chunk ids are the store's own (read back through its reader), never the indexes'.
/// </summary>
public abstract class ChangeFeedConformance : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ragsvc-changefeed-").FullName;
    private readonly List<IDisposable> _owned = [];
    private readonly Dictionary<string, IIndexSource> _sources = [];

    protected abstract string? SkipReason { get; }

    protected abstract KnowledgeStore OpenStore(params ISearchIndex[] indexes);

    protected abstract IIndexSource OpenSource();

    protected abstract IChangeFeed OpenFeed();

    public virtual void Dispose()
    {
        _owned.ForEach(o => o.Dispose());
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [SkippableFact]
    public async Task Each_write_appends_its_delta_in_its_transaction_and_a_trimmed_log_is_a_gap()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var store = OpenStore();
        var feed = OpenFeed();
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, Doc("d", "1", 0.1, "a1", "a2"), default);
        var first = await store.ListChunkIdsAsync(kb, "d", 0, 10, default);
        await store.UpsertDocumentAsync(kb, Doc("d", "2", 0.2, "b1"), default);
        var second = await store.ListChunkIdsAsync(kb, "d", 0, 10, default);
        await store.UpsertDocumentAsync(kb, Doc("e", "1", 0.3, "e1"), default);
        var third = await store.ListChunkIdsAsync(kb, "e", 0, 10, default);
        await store.DeleteDocumentAsync(kb, "d", default);
        Assert.Equal(WriteOutcome.Unchanged, await store.UpsertDocumentAsync(kb, Doc("e", "1", 0.3, "e1"), default));

        Assert.Equal(4, (await feed.GetVersionsAsync(default))[kb.Id]);
        var all = Delta(feed.ReadSince(kb.Id, 0));
        Assert.Equal((0L, 4L), (all.FromVersion, all.ToVersion));
        Assert.Equal(first.Concat(second).Order(), all.Removed.Order());
        Assert.Equal(third, all.Added.Select(a => a.ChunkId));
        Assert.Equal("e1", all.Added[0].Text);
        Assert.Equal(["e1", "common"], all.Added[0].BodyTerms);
        Assert.Equal(Vector(0.3), all.Added[0].Vector);

        var fromTwo = Delta(feed.ReadSince(kb.Id, 2));
        Assert.Equal(second, fromTwo.Removed);
        Assert.Equal(third, fromTwo.Added.Select(a => a.ChunkId));
        Assert.Equal(0, Delta(feed.ReadSince(kb.Id, 4)).Versions);

        Assert.Equal(2, await feed.TrimAsync(2, default));
        Assert.Contains("does not hold version 2", feed.ReadSince(kb.Id, 1).Gap);
        Assert.Equal(second, Delta(feed.ReadSince(kb.Id, 2)).Removed);
        Assert.True(await store.DeleteCollectionAsync("kb", default));
        Assert.NotNull(feed.ReadSince(kb.Id, 2).Gap);
    }

    [SkippableFact]
    public async Task Another_replicas_writes_reach_every_engine_as_deltas_and_each_holds_exactly_the_stores_chunks()
    {
        var (indexes, lexical, vectors, a, b, kb) = await StartAsync();
        await a.UpsertDocumentAsync(kb, Doc("replaced", "1", 0.1, "cherry"), default);
        var loads = new List<string>();
        foreach (var index in indexes)
        {
            loads.Add((await index.GetStatsAsync(kb, default)).Load);
        }

        await b.UpsertDocumentAsync(kb, Doc("replaced", "2", 0.2, "avocado", "banana"), default);
        for (var i = 0; i < 20; i++)
        {
            await b.UpsertDocumentAsync(kb, Doc($"n{i}", "1", 0.3 + i * 0.05, $"word{i}"), default);
        }

        await b.DeleteDocumentAsync(kb, "n0", default);
        var expected = await ChunkIdsAsync(b, kb);
        Assert.Equal(1 + 2 + 19, expected.Count);
        await UntilReplicaSeesLatestAsync("a", kb);
        foreach (var index in lexical)
        {
            Assert.Equal(expected, (await index.SearchAsync(kb, ["common"], 1000, SearchFilter.None, default)).Select(h => h.ChunkId).Order());
            Assert.Empty(await index.SearchAsync(kb, ["cherry"], 10, SearchFilter.None, default));
            Assert.Equal(await b.ListChunkIdsAsync(kb, "replaced", 1, 1, default),
                (await index.SearchAsync(kb, ["banana"], 10, SearchFilter.None, default)).Select(h => h.ChunkId));
        }

        Assert.Equal(expected, (await vectors.SearchAsync(kb, Vector(0.3), 1000, SearchFilter.None, default)).Select(h => h.ChunkId).Order());
        Assert.Equal(await b.ListChunkIdsAsync(kb, "n5", 0, 1, default), (await vectors.SearchAsync(kb, Vector(0.55), 1, SearchFilter.None, default)).Select(h => h.ChunkId));

        for (var i = 0; i < indexes.Count; i++)
        {
            var stats = await indexes[i].GetStatsAsync(kb, default);
            Assert.Equal((24L, 22L, 0, loads[i]), (stats.Version!.Value, stats.Follow!.VersionsFromLog, stats.Follow.Rebuilds, stats.Load));
        }
    }

    [SkippableFact]
    public async Task The_follower_catches_held_indexes_up_without_a_search_and_drops_a_collection_deleted_elsewhere()
    {
        var (indexes, _, _, _, b, kb) = await StartAsync();
        var follower = new IndexFollower(OpenFeed(), indexes);

        await b.UpsertDocumentAsync(kb, Doc("y", "1", 0.5, "pear"), default);
        Assert.All(indexes, i => Assert.Equal(1, i.HeldVersion(kb.Id)));
        var report = await follower.FollowOnceAsync(default);
        Assert.All(indexes, i => Assert.Equal(2, i.HeldVersion(kb.Id)));
        Assert.All(report.Lag.Values, lag => Assert.Equal(0, lag));

        Assert.True(await b.DeleteCollectionAsync("kb", default));
        await follower.FollowOnceAsync(default);
        Assert.All(indexes, i => Assert.Null(i.HeldVersion(kb.Id)));
        Assert.False(Directory.Exists(Path.Combine(_dir, "a", "lucene", $"collection-{kb.Id}")));
    }

    [SkippableFact]
    public async Task An_index_further_behind_than_the_log_reaches_is_rebuilt_and_the_stats_say_why()
    {
        var (indexes, lexical, vectors, _, b, kb) = await StartAsync();
        for (var i = 0; i < 5; i++)
        {
            await b.UpsertDocumentAsync(kb, Doc($"n{i}", "1", 0.2 + i * 0.1, $"word{i}"), default);
        }

        await OpenFeed().TrimAsync(2, default);
        await LoadAllAsync(kb, lexical, vectors);
        var expected = await ChunkIdsAsync(b, kb);
        foreach (var index in indexes)
        {
            var stats = await index.GetStatsAsync(kb, default);
            Assert.Equal((6L, 0L, 1), (stats.Version!.Value, stats.Follow!.VersionsFromLog, stats.Follow.Rebuilds));
            Assert.Contains("does not hold version 2", stats.Follow.LastRebuild);
        }

        Assert.Equal(expected, (await lexical[1].SearchAsync(kb, ["common"], 100, SearchFilter.None, default)).Select(h => h.ChunkId).Order());
    }

    [SkippableFact]
    public async Task A_restarted_replica_loads_its_files_and_catches_up_from_the_log_instead_of_rebuilding()
    {
        var (indexes, lexical, vectors, _, b, kb) = await StartAsync();
        foreach (var index in indexes)
        {
            ((IDisposable)index).Dispose(); // a clean stop: Lucene commits, HNSW writes its snapshot, both at version 2
            _owned.Remove((IDisposable)index);
        }

        for (var i = 0; i < 30; i++)
        {
            await b.UpsertDocumentAsync(kb, Doc($"n{i}", "1", 0.1 + i * 0.02, $"word{i}"), default);
        }

        var (restarted, lexical2, vectors2) = OpenReplica("a");
        await LoadAllAsync(kb, lexical2, vectors2);
        var lucene = await lexical2[1].GetStatsAsync(kb, default);
        Assert.Equal(("loaded at version 1, caught up to 31 from the change log", 30L, 0), (lucene.Load, lucene.Follow!.VersionsFromLog, lucene.Follow.Rebuilds));
        var hnsw = await vectors2.GetStatsAsync(kb, default);
        Assert.Equal(("loaded at version 1, caught up to 31 from the change log", 30L), (hnsw.Load, hnsw.Follow!.VersionsFromLog));
        var expected = await ChunkIdsAsync(b, kb);
        Assert.Equal(expected, (await lexical2[1].SearchAsync(kb, ["common"], 100, SearchFilter.None, default)).Select(h => h.ChunkId).Order());
        Assert.Equal(expected, (await vectors2.SearchAsync(kb, Vector(0.3), 100, SearchFilter.None, default)).Select(h => h.ChunkId).Order());
        Assert.Equal(3, restarted.Count);
    }

    [SkippableFact]
    public async Task An_access_change_on_either_replica_is_obeyed_by_the_next_filtered_search_of_every_engine()
    {
        var (_, lexical, vectors, a, b, kb) = await StartAsync();
        await a.UpsertDocumentAsync(kb, Doc("s", "1", 0.5, "pear") with { Access = ["group:hr"] }, default);
        var open = await a.ListChunkIdsAsync(kb, "x", 0, 10, default);
        var restricted = await a.ListChunkIdsAsync(kb, "s", 0, 10, default);
        var hr = new SearchFilter { Access = new AccessScope(["group:hr"]) };

        async Task AllEnginesFindAsync(IReadOnlyList<long> expected, string after)
        {
            foreach (var index in lexical)
            {
                var hits = await index.SearchAsync(kb, ["common"], 10, hr, default);
                Assert.True(expected.Order().SequenceEqual(hits.Select(h => h.ChunkId).Order()), $"{index.Engine} after {after}: {string.Join(",", hits.Select(h => h.ChunkId))}");
            }

            var nearest = await vectors.SearchAsync(kb, Vector(0.5), 10, hr, default);
            Assert.True(expected.Order().SequenceEqual(nearest.Select(h => h.ChunkId).Order()), $"hnsw after {after}: {string.Join(",", nearest.Select(h => h.ChunkId))}");
        }

        await AllEnginesFindAsync([.. open, .. restricted], "the write");
        await AllEnginesFindAsync([.. open, .. restricted], "the write, again (the scope's set is held now)");
        Assert.True(await b.SetDocumentAccessAsync(kb, "s", ["group:finance"], default));
        await AllEnginesFindAsync(open, "replica B restricted it to group:finance");
        Assert.True(await b.SetDocumentAccessAsync(kb, "s", ["group:hr", "user:z"], default));
        await AllEnginesFindAsync([.. open, .. restricted], "replica B gave it back to group:hr");
        Assert.True(await a.SetDocumentAccessAsync(kb, "s", ["user:z"], default));
        await AllEnginesFindAsync(open, "replica A restricted it to user:z");
        Assert.True(await a.SetDocumentAccessAsync(kb, "s", null, default));
        await AllEnginesFindAsync([.. open, .. restricted], "replica A removed its list (the collection is open)");
    }

    [SkippableFact]
    public async Task The_lucene_copy_holds_each_live_chunk_record_as_the_store_reads_it_from_own_writes_other_replicas_deltas_and_a_rebuild()
    {
        var (_, lexical, _, a, b, kb) = await StartAsync();
        var gone = await a.ListChunkIdsAsync(kb, "x", 0, 10, default);
        var headed = new Chunk(1, "second part", ["Guide", "Setup"], 7);
        await a.UpsertDocumentAsync(kb, Doc("own", "1", 0.2) with
        {
            Title = "Own title",
            Metadata = new Dictionary<string, string> { ["lang"] = "en", ["team"] = "a" },
            Chunks = [new IndexedChunk(new Chunk(0, "first part", [], null), ["first", "common"], [], Vector(0.2)), new IndexedChunk(headed, ["second", "common"], ["guide"], Vector(0.21))],
        }, default);
        await b.UpsertDocumentAsync(kb, Doc("other", "1", 0.4, "电池续航两天") with { Title = "其他", Metadata = new Dictionary<string, string> { ["lang"] = "zh" } }, default);
        Assert.True(await b.SetDocumentAccessAsync(kb, "own", ["group:hr"], default)); // re-added with its new list: the record must stay
        Assert.True(await b.DeleteDocumentAsync(kb, "x", default));
        await UntilReplicaSeesLatestAsync("a", kb);
        await lexical[1].SearchAsync(kb, ["common"], 1, SearchFilter.None, default); // replica A's Lucene index catches up from the log

        var ids = await ChunkIdsAsync(b, kb);
        var expected = Json(await b.GetChunksAsync(ids, default));
        var copy = (ILocalChunkCopy)lexical[1];
        Assert.Equal(3, ids.Count);
        Assert.Equal(expected, Json(ids.Select(id => copy.Held(kb.Id, ids)[id])));
        Assert.Empty(copy.Held(kb.Id, gone));
        Assert.Empty(copy.Held(kb.Id + 1, ids));

        // A replica that never held the collection builds its copy from a snapshot.
        var (_, rebuilt, _) = OpenReplica("c");
        await rebuilt[1].SearchAsync(kb, ["common"], 1, SearchFilter.None, default);
        Assert.Equal(expected, Json(ids.Select(id => ((ILocalChunkCopy)rebuilt[1]).Held(kb.Id, ids)[id])));
    }

    private static string Json(IEnumerable<StoredChunk> chunks) => System.Text.Json.JsonSerializer.Serialize(chunks);

    /// <summary>Replica A with its three engines loaded at version 1 (one document, "x"), and replica B without indexes.</summary>
    private async Task<(IReadOnlyList<ISearchIndex> Indexes, IReadOnlyList<ILexicalSearchIndex> Lexical, IVectorSearchIndex Vectors, KnowledgeStore A,
        KnowledgeStore B, CollectionInfo Kb)> StartAsync()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var (indexes, lexical, vectors) = OpenReplica("a");
        var a = OpenStore([.. indexes]);
        var kb = await a.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await a.UpsertDocumentAsync(kb, Doc("x", "1", 0.0, "apple"), default);
        await LoadAllAsync(kb, lexical, vectors);
        return (indexes, lexical, vectors, a, OpenStore(), kb);
    }

    /// <summary>The three engines of one replica over this store, with their files under a folder of the replica's name.</summary>
    private (IReadOnlyList<ISearchIndex> All, IReadOnlyList<ILexicalSearchIndex> Lexical, IVectorSearchIndex Vectors) OpenReplica(string name)
    {
        var source = OpenSource();
        _sources[name] = source;
        var feed = OpenFeed();
        var visible = new VisibleChunkCache(source);
        var memory = new MemoryLexicalSearchIndex(source, new Bm25Parameters(), feed, visible);
        var lucene = new LuceneLexicalSearchIndex(source, new LuceneOptions { Directory = Path.Combine(_dir, name, "lucene") }, changes: feed);
        var hnsw = new HnswVectorSearchIndex(source, Path.Combine(_dir, name, "vectors"), new VectorIndexOptions(), changes: feed, visible: visible);
        _owned.AddRange([memory, lucene, hnsw]);
        return ([memory, lucene, hnsw], [memory, lucene], hnsw);
    }

    /// <summary>
    /// Waits until the replica's index source reports the collection's committed version. On PostgreSQL a replica learns
    /// another replica's commit from its notification, a moment after the commit; searches before that see the version
    /// before it, as documented (read-your-writes across replicas goes through minVersion).
    /// </summary>
    private async Task UntilReplicaSeesLatestAsync(string replica, CollectionInfo kb)
    {
        var latest = (await OpenFeed().GetVersionsAsync(default))[kb.Id];
        for (var attempt = 0; await _sources[replica].GetVersionAsync(kb.Id, default) < latest; attempt++)
        {
            Assert.True(attempt < 3000, $"replica {replica} did not learn version {latest} of the collection within 30 s");
            await Task.Delay(10);
        }
    }

    private static async Task LoadAllAsync(CollectionInfo kb, IReadOnlyList<ILexicalSearchIndex> lexical, IVectorSearchIndex vectors)
    {
        foreach (var index in lexical)
        {
            await index.SearchAsync(kb, ["common"], 1, SearchFilter.None, default);
        }

        await vectors.SearchAsync(kb, Vector(0), 1, SearchFilter.None, default);
    }

    private static async Task<IReadOnlyList<long>> ChunkIdsAsync(IKnowledgeReader store, CollectionInfo kb)
    {
        var ids = new List<long>();
        foreach (var document in await store.ListDocumentsAsync(kb, 0, 1000, null, default))
        {
            ids.AddRange(await store.ListChunkIdsAsync(kb, document.Id, 0, 1000, default));
        }

        return ids.Order().ToList();
    }

    private static ChangeDelta Delta(ChangeRead read) => read.Delta ?? throw new Xunit.Sdk.XunitException("expected a delta, got a gap: " + read.Gap);

    /// <summary>A unit vector at <paramref name="turn"/> of a half circle: distinct turns are distinct nearest neighbours.</summary>
    private static float[] Vector(double turn) => [(float)Math.Cos(turn * Math.PI), (float)Math.Sin(turn * Math.PI)];

    /// <summary>One chunk per text, each with its own word and "common"; the chunks of a document share one vector direction step apart.</summary>
    private static DocumentWrite Doc(string id, string version, double turn, params string[] texts) =>
        new(id, null, id + "-" + version, "text", new Dictionary<string, string>(),
            texts.Select((t, i) => new IndexedChunk(new Chunk(i, t, [], null), [t, "common"], [], Vector(turn + i * 0.01))).ToList());
}

public sealed class SqliteChangeFeedTests : ChangeFeedConformance
{
    private readonly string _db = Path.Combine(Directory.CreateTempSubdirectory("ragsvc-changefeed-db-").FullName, "kb.db");

    private SqliteStoreOptions Options => new() { DatabasePath = _db };

    protected override string? SkipReason => null;

    protected override KnowledgeStore OpenStore(params ISearchIndex[] indexes) => new SqliteKnowledgeStore(Options, indexes);

    protected override IIndexSource OpenSource() => new SqliteIndexSource(Options);

    protected override IChangeFeed OpenFeed() => new SqliteChangeFeed(Options);

    public override void Dispose()
    {
        base.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(_db)!, recursive: true);
    }
}

public sealed class PostgresChangeFeedTests : ChangeFeedConformance
{
    private readonly PostgresTestDatabase _database = new();
    private readonly List<PostgresDatabase> _opened = [];

    protected override string? SkipReason => PostgresTestDatabase.SkipReason;

    protected override KnowledgeStore OpenStore(params ISearchIndex[] indexes) => new PostgresKnowledgeStore(Open(), indexes);

    protected override IIndexSource OpenSource() => new PostgresIndexSource(Open());

    protected override IChangeFeed OpenFeed() => new PostgresChangeFeed(Open());

    /// <summary>A replica waiting for changes wakes at another replica's commit (NOTIFY), long before its poll interval.</summary>
    [SkippableFact]
    public async Task A_commit_elsewhere_wakes_a_waiting_replica()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var store = OpenStore();
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        var feed = (PostgresChangeFeed)OpenFeed();
        await feed.WaitForChangeAsync(TimeSpan.FromMilliseconds(10), default); // starts listening
        Assert.Equal("LISTEN rag_changes", feed.Signal);

        var waiting = feed.WaitForChangeAsync(TimeSpan.FromMinutes(10), default);
        Assert.False(waiting.IsCompleted);
        await store.UpsertDocumentAsync(kb, new DocumentWrite("d", null, "h", "text", new Dictionary<string, string>(),
            [new IndexedChunk(new Chunk(0, "t", [], null), ["t"], [])]), default);
        Assert.Same(waiting, await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMinutes(2))));
        await feed.DisposeAsync();
    }

    public override void Dispose()
    {
        base.Dispose();
        NpgsqlConnection.ClearAllPools();
        _opened.ForEach(d => d.Dispose());
        _database.Dispose();
    }

    private PostgresDatabase Open()
    {
        var database = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _database.ConnectionString, MaxPoolSize = 10 });
        _opened.Add(database);
        return database;
    }
}
