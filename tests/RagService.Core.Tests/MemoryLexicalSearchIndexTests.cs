using Microsoft.Extensions.DependencyInjection;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Core.Tests.Fakes;
using RagService.Lexical.Memory;
using RagService.Tests.Shared;

namespace RagService.Core.Tests;

/// <summary>The "memory" BM25 engine over a fake index source: when it rebuilds from the store, when it applies a write, what it reports.</summary>
public sealed class MemoryLexicalSearchIndexTests : IDisposable
{
    private static readonly CollectionInfo Collection = new(5, "manuals", new CollectionSettings(), DateTimeOffset.UnixEpoch);
    private readonly FakeKnowledgeStore _store = new();
    private readonly FakeIndexSource _source;
    private readonly MemoryLexicalSearchIndex _engine;

    public MemoryLexicalSearchIndexTests()
    {
        _source = new FakeIndexSource(_store);
        Chunk(1, "oven error code");
        Chunk(2, "oven");
        Chunk(3, "kettle");
        _engine = new MemoryLexicalSearchIndex(_source, new Bm25Parameters { K1 = 1.5, B = 0.5, HeaderWeight = 3 });
    }

    public void Dispose() => _engine.Dispose();

    [Fact]
    public async Task A_search_builds_the_index_once_per_version_and_ranks_by_bm25()
    {
        // Both "oven" chunks have tf 1; the shorter one (chunk 2) ranks first.
        Assert.Equal(new long[] { 2, 1 }, await Ids("oven"));
        Assert.Equal(new long[] { 3 }, await Ids("kettle"));
        Assert.Equal(1, _source.SnapshotsOpened);
    }

    [Fact]
    public async Task A_filter_keeps_only_the_chunks_the_store_says_match()
    {
        _source.Matching = new HashSet<long> { 1, 3 };
        var filter = new SearchFilter { Metadata = new Dictionary<string, string> { ["lang"] = "en" } };
        Assert.Equal(new long[] { 1 }, (await _engine.SearchAsync(Collection, ["oven"], 10, filter, default)).Select(h => h.ChunkId));
    }

    [Fact]
    public async Task An_empty_query_answers_nothing_without_loading_the_index()
    {
        Assert.Empty(await _engine.SearchAsync(Collection, [], 10, new SearchFilter(), default));
        Assert.Equal(0, _source.SnapshotsOpened);
    }

    [Fact]
    public async Task A_write_one_version_ahead_is_applied_without_a_rebuild()
    {
        await Ids("oven");
        _source.Version = 2;
        _engine.Apply(new IndexChange(Collection, 2, [2], [new IndexEntry(4, "oven manual", ["oven", "manual"], [])]));

        Assert.Equal(new long[] { 4, 1 }, await Ids("oven")); // chunk 2 is gone; chunk 4 (length 2) is shorter than chunk 1 (length 3)
        Assert.Equal(1, _source.SnapshotsOpened);
    }

    [Fact]
    public async Task A_write_that_skips_a_version_makes_the_next_search_rebuild_from_the_store()
    {
        await Ids("oven");
        _engine.Apply(new IndexChange(Collection, 3, [], [new IndexEntry(4, "oven", ["oven"], [])]));
        _source.Version = 3;

        Assert.Equal(new long[] { 2, 1 }, await Ids("oven")); // the store has no chunk 4: the delta was not applied
        Assert.Equal(2, _source.SnapshotsOpened);
    }

    [Fact]
    public async Task Without_a_change_log_an_index_the_store_moved_past_is_rebuilt_and_says_so()
    {
        await Ids("oven");
        _source.Version = 2;
        await Ids("oven");

        Assert.Equal(2, _source.SnapshotsOpened);
        Assert.Equal("rebuilt: the store moved on and no change log was given", (await _engine.GetStatsAsync(Collection, default)).Load);
    }

    [Fact]
    public async Task A_held_index_behind_the_store_follows_the_change_log_and_rebuilds_where_it_has_a_gap()
    {
        var feed = new ScriptedChangeFeed();
        using var engine = new MemoryLexicalSearchIndex(_source, new Bm25Parameters(), feed);
        Assert.Equal("not loaded", (await engine.GetStatsAsync(Collection, default)).Load);
        Assert.Equal(new long[] { 2, 1 }, await Ids(engine, "oven"));
        Assert.Equal(1, engine.HeldVersion(Collection.Id));

        _source.Version = 2;
        feed.Read = ChangeRead.Of(new ChangeDelta(1, 2, [2], [new IndexEntry(4, "oven manual", ["oven", "manual"], [])]));
        await engine.CatchUpAsync(Collection.Id, 2, default);
        Assert.Equal(2, engine.HeldVersion(Collection.Id));
        Assert.Equal(new long[] { 4, 1 }, await Ids(engine, "oven")); // chunk 2 removed by the log; 4 (length 2) ranks above 1 (length 3)
        Assert.Equal(1, _source.SnapshotsOpened);
        Assert.Equal([(Collection.Id, 1L)], feed.Reads);

        await engine.CatchUpAsync(Collection.Id, 2, default); // already current: the log is not read
        Assert.Single(feed.Reads);

        _source.Version = 3;
        feed.Read = ChangeRead.Missing("the log was trimmed");
        Assert.Equal(new long[] { 2, 1 }, await Ids(engine, "oven")); // rebuilt from the store, which holds chunk 2 and no chunk 4
        Assert.Equal(2, _source.SnapshotsOpened);
        var stats = await engine.GetStatsAsync(Collection, default);
        Assert.Equal(("rebuilt: the log was trimmed", 1L, 1), (stats.Load, stats.Follow!.VersionsFromLog, stats.Follow.Rebuilds));

        engine.Drop(Collection.Id);
        Assert.Null(engine.HeldVersion(Collection.Id));
        Assert.Equal(IndexFollow.None, (await engine.GetStatsAsync(Collection, default)).Follow);
    }

    [Fact]
    public async Task Header_terms_count_with_the_configured_weight()
    {
        Chunk(5, "troubleshooting", header: "boiler");
        Chunk(6, "boiler boiler noise");

        // Header weight 3: chunk 5 has tf 3 in length 2, chunk 6 tf 2 in length 3.
        Assert.Equal(new long[] { 5, 6 }, await Ids("boiler"));
    }

    [Fact]
    public async Task Dropping_a_collection_forgets_its_index_until_the_next_search()
    {
        await Ids("oven");
        Assert.Equal(new IndexStats("memory", 3, 0, "built from the store"), Unfollowed(await _engine.GetStatsAsync(Collection, default)));

        _engine.Drop(Collection.Id);
        Assert.Equal(new IndexStats("memory", 0, 0, "not loaded"), Unfollowed(await _engine.GetStatsAsync(Collection, default)));
        await Ids("oven");
        Assert.Equal(2, _source.SnapshotsOpened);
    }

    [Fact]
    public async Task Term_statistics_count_live_chunks_and_the_chunks_holding_each_term()
    {
        var statistics = await _engine.GetTermStatisticsAsync(Collection, ["oven", "kettle", "toaster"], default);
        Assert.NotNull(statistics);
        Assert.Equal(3, statistics.Chunks);
        Assert.Equal(new Dictionary<string, int> { ["oven"] = 2, ["kettle"] = 1, ["toaster"] = 0 }, statistics.DocumentFrequencies);
    }

    [Fact]
    public async Task Health_names_the_engine_and_its_parameters()
    {
        var status = await _engine.CheckAsync(default);
        Assert.True(status.IsOn);
        Assert.Equal("bm25", status.Name);
        Assert.Equal("memory BM25F (k1=1.5, b=0.5, header weight 3)", status.Detail);
        Assert.Equal("memory", _engine.Engine);
    }

    [Fact]
    public void Registration_validates_the_parameters_and_serves_one_engine_under_each_port()
    {
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddMemoryLexicalIndex(new Bm25Parameters { B = 1.5 }));

        var services = new ServiceCollection().AddSingleton<IIndexSource>(_source).AddMemoryLexicalIndex(new Bm25Parameters());
        using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<MemoryLexicalSearchIndex>();
        Assert.Same(engine, provider.GetRequiredService<ILexicalSearchIndex>());
        Assert.Same(engine, provider.GetRequiredService<ISearchIndex>());
        Assert.Same(engine, provider.GetRequiredService<IComponentHealth>());
    }

    private void Chunk(long id, string body, string header = "")
    {
        _store.Add(id, body);
        _source.Terms[id] = (body.Split(' '), header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private Task<long[]> Ids(string query) => Ids(_engine, query);

    private static async Task<long[]> Ids(MemoryLexicalSearchIndex engine, string query) =>
        (await engine.SearchAsync(Collection, query.Split(' '), 10, new SearchFilter(), default)).Select(h => h.ChunkId).ToArray();

    /// <summary>The stats without the change-log follow fields, which the replication tests cover.</summary>
    private static IndexStats Unfollowed(IndexStats stats) => stats with { Version = null, Follow = null };
}
