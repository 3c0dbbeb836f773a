using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Core.Vectors;
using RagService.Tests.Shared;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// The embedded vector engine over a fake store: rebuild or snapshot load (and the verdict it reports), deltas, filters,
/// dropping, and a snapshot folder it cannot use. Vectors are the axes of an 8-dimensional space, so the nearest chunk to
/// an axis is the chunk stored on it, with score 1.
/// </summary>
public sealed class HnswVectorSearchIndexTests : IDisposable
{
    private const int Dimension = 8;
    private static readonly CollectionInfo Collection = new(4, "manuals", new CollectionSettings(), DateTimeOffset.UnixEpoch);
    private static readonly VectorIndexOptions Options = new() { EfConstruction = 32 };
    private readonly string _dir = Directory.CreateTempSubdirectory("hnsw-engine-").FullName;
    private readonly VectorSource _source = new();

    public HnswVectorSearchIndexTests()
    {
        for (var axis = 0; axis < Dimension; axis++)
        {
            _source.Vectors[10 + axis] = Axis(axis);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SnapshotPath => Path.Combine(_dir, $"collection-{Collection.Id}.hnsw");

    [Fact]
    public async Task A_first_search_rebuilds_from_the_store_and_writes_the_snapshot()
    {
        using var engine = Engine();
        var hits = await engine.SearchAsync(Collection, Axis(3), 2, new SearchFilter(), default);
        Assert.Equal(13, hits[0].ChunkId);
        Assert.Equal(1.0, hits[0].Score, 6);
        Assert.Equal(2, hits.Count);

        var stats = await engine.GetStatsAsync(Collection, default);
        Assert.Equal("hnsw", stats.Engine);
        Assert.Equal(8, stats.Entries);
        Assert.StartsWith("rebuilt: missing (no snapshot at ", stats.Load);
        Assert.Equal(new FileInfo(SnapshotPath).Length, stats.Bytes);
        Assert.NotNull(stats.Graph);
        Assert.Equal(8, stats.Graph.Vectors);
        Assert.Equal(0, stats.Graph.UnreachableVectors);
        Assert.Equal(1, _source.VectorReads);
    }

    [Fact]
    public async Task After_a_restart_a_snapshot_at_the_current_version_is_loaded_without_reading_the_store()
    {
        using (var first = Engine())
        {
            await first.SearchAsync(Collection, Axis(0), 1, new SearchFilter(), default);
        }

        using var second = Engine();
        var hit = Assert.Single(await second.SearchAsync(Collection, Axis(5), 1, new SearchFilter(), default));
        Assert.Equal(15, hit.ChunkId);
        Assert.Equal("loaded", (await second.GetStatsAsync(Collection, default)).Load);
        Assert.Equal(1, _source.VectorReads);
    }

    [Fact]
    public async Task A_snapshot_of_an_older_version_is_rebuilt_as_stale()
    {
        using (var first = Engine())
        {
            await first.SearchAsync(Collection, Axis(0), 1, new SearchFilter(), default);
        }

        _source.Version = 2;
        _source.Vectors.Remove(15);
        using var second = Engine();
        Assert.DoesNotContain(15L, (await second.SearchAsync(Collection, Axis(5), 8, new SearchFilter(), default)).Select(h => h.ChunkId));
        Assert.StartsWith("rebuilt: stale (snapshot at source version 1, store at 2)", (await second.GetStatsAsync(Collection, default)).Load);
    }

    [Fact]
    public async Task Queries_of_another_dimension_and_collections_without_vectors_find_nothing()
    {
        using var engine = Engine();
        Assert.Empty(await engine.SearchAsync(Collection, new float[4], 3, new SearchFilter(), default));

        _source.Vectors.Clear();
        using var empty = Engine(Path.Combine(_dir, "other"));
        Assert.Empty(await empty.SearchAsync(Collection, Axis(1), 3, new SearchFilter(), default));
        Assert.Equal(new IndexStats("hnsw", 0, 0, "not loaded"), (await empty.GetStatsAsync(Collection, default)) with { Version = null, Follow = null });
    }

    [Fact]
    public async Task A_filter_keeps_only_the_chunks_the_store_says_match()
    {
        _source.Matching = new HashSet<long> { 11, 12 };
        using var engine = Engine();
        var filter = new SearchFilter { Metadata = new Dictionary<string, string> { ["team"] = "hr" } };
        var hits = await engine.SearchAsync(Collection, Axis(2), 5, filter, default);
        Assert.Equal([12L, 11L], hits.Select(h => h.ChunkId).ToArray());
    }

    [Fact]
    public async Task A_write_one_version_ahead_is_applied_in_place()
    {
        using var engine = Engine();
        await engine.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default);

        _source.Version = 2;
        engine.Apply(new IndexChange(Collection, 2, [13], [new IndexEntry(30, "", [], [], Axis(3))]));
        var hits = await engine.SearchAsync(Collection, Axis(3), 8, new SearchFilter(), default);
        Assert.Equal(30, hits[0].ChunkId);
        Assert.DoesNotContain(13L, hits.Select(h => h.ChunkId));
        Assert.Equal(1, _source.VectorReads);
    }

    [Fact]
    public async Task A_write_with_vectors_of_another_dimension_makes_the_next_search_rebuild()
    {
        using var engine = Engine();
        await engine.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default);

        // Only one of the two vectors has another dimension: the write is not applied in part. The store keeps the
        // model's vectors only: chunk 30 is there, 31 is not.
        _source.Version = 2;
        _source.Vectors[30] = Between(3, 4);
        engine.Apply(new IndexChange(Collection, 2, [], [new IndexEntry(30, "", [], [], Between(3, 4)), new IndexEntry(31, "", [], [], new float[4])]));
        var hits = await engine.SearchAsync(Collection, Between(3, 4), 9, new SearchFilter(), default);
        Assert.Equal(30, hits[0].ChunkId);
        Assert.DoesNotContain(31L, hits.Select(h => h.ChunkId));
        Assert.Equal(2, _source.VectorReads);
    }

    [Fact]
    public async Task Dropping_a_collection_deletes_its_snapshot()
    {
        using var engine = Engine();
        await engine.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default);
        Assert.True(File.Exists(SnapshotPath));

        engine.Drop(Collection.Id);
        Assert.False(File.Exists(SnapshotPath));
    }

    [Fact]
    public async Task A_snapshot_folder_that_is_a_file_fails_health_and_dense_search()
    {
        var notAFolder = Path.Combine(_dir, "vectors");
        await File.WriteAllTextAsync(notAFolder, "x");
        using var engine = Engine(notAFolder);

        var status = await engine.CheckAsync(default);
        Assert.Equal("failed", status.State);
        Assert.Equal($"the vector snapshot folder {notAFolder} is a file; dense retrieval answers with BM25 only until it is fixed", status.Detail);
        await Assert.ThrowsAsync<StorageUnavailableException>(() => engine.SearchAsync(Collection, Axis(1), 1, new SearchFilter(), default));
        Assert.StartsWith($"the vector snapshot folder {notAFolder} cannot be used (", engine.SnapshotFault, StringComparison.Ordinal);

        // Fixed by the operator: the next search loads, and health is on again.
        File.Delete(notAFolder);
        Assert.Equal(11, (await engine.SearchAsync(Collection, Axis(1), 1, new SearchFilter(), default))[0].ChunkId);
        Assert.Null(engine.SnapshotFault);
        Assert.Equal("on", (await engine.CheckAsync(default)).State);

        using var healthy = Engine();
        Assert.Equal($"embedded HNSW (M=16), snapshots in {_dir}", (await healthy.CheckAsync(default)).Detail);
    }

    [Fact]
    public async Task After_a_restart_a_snapshot_behind_the_store_is_caught_up_from_the_change_log()
    {
        using (var first = Engine())
        {
            await first.SearchAsync(Collection, Axis(0), 1, new SearchFilter(), default);
        }

        _source.Version = 3;
        var feed = new ScriptedChangeFeed { Read = ChangeRead.Of(new ChangeDelta(1, 3, [15], [new IndexEntry(30, "", [], [], Between(3, 4))])) };
        var log = new ListLogger();
        using var second = new HnswVectorSearchIndex(_source, _dir, Options, log, feed);

        var hits = await second.SearchAsync(Collection, Between(3, 4), 8, new SearchFilter(), default);

        Assert.Equal(30, hits[0].ChunkId);
        Assert.DoesNotContain(15L, hits.Select(h => h.ChunkId));
        Assert.Equal(8, hits.Count);
        var stats = await second.GetStatsAsync(Collection, default);
        Assert.Equal(("loaded at version 1, caught up to 3 from the change log", 3L, 8L), (stats.Load, stats.Version, stats.Entries));
        Assert.Equal((2L, 0), (stats.Follow!.VersionsFromLog, stats.Follow.Rebuilds));
        Assert.Equal([(4L, 1L)], feed.Reads);
        Assert.Equal(1, _source.VectorReads);
        Assert.Contains($"Vector index of collection {Collection.Id} loaded from its snapshot at version 1 and caught up to 3 from the change log", log.Lines);
    }

    [Theory]
    [InlineData("gap")]
    [InlineData("dimension")]
    public async Task A_snapshot_behind_the_store_is_rebuilt_when_the_change_log_cannot_catch_it_up(string why)
    {
        using (var first = Engine())
        {
            await first.SearchAsync(Collection, Axis(0), 1, new SearchFilter(), default);
        }

        _source.Version = 3;
        var feed = new ScriptedChangeFeed
        {
            Read = why == "gap"
                ? ChangeRead.Missing("trimmed")
                : ChangeRead.Of(new ChangeDelta(1, 3, [], [new IndexEntry(30, "", [], [], new float[3])])),
        };
        using var second = Engine(changes: feed);

        Assert.Equal(13, (await second.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default))[0].ChunkId);
        Assert.StartsWith("rebuilt: stale (snapshot at source version 1, store at 3)", (await second.GetStatsAsync(Collection, default)).Load);
        Assert.Equal(2, _source.VectorReads);
    }

    [Fact]
    public async Task A_held_index_behind_the_store_follows_the_change_log_and_rebuilds_where_it_has_a_gap()
    {
        var feed = new ScriptedChangeFeed();
        using var engine = Engine(changes: feed);
        await engine.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default);
        Assert.Equal(1, engine.HeldVersion(Collection.Id));

        _source.Version = 2;
        feed.Read = ChangeRead.Of(new ChangeDelta(1, 2, [13], [new IndexEntry(30, "", [], [], Between(3, 4))]));
        await engine.CatchUpAsync(Collection.Id, 2, default);
        Assert.Equal(2, engine.HeldVersion(Collection.Id));
        var hits = await engine.SearchAsync(Collection, Between(3, 4), 8, new SearchFilter(), default);
        Assert.Equal(30, hits[0].ChunkId);
        Assert.DoesNotContain(13L, hits.Select(h => h.ChunkId));
        Assert.Equal(1, _source.VectorReads);

        // Already current: nothing is read.
        await engine.CatchUpAsync(Collection.Id, 2, default);
        Assert.Single(feed.Reads);

        _source.Version = 3;
        feed.Read = ChangeRead.Of(new ChangeDelta(2, 3, [], [new IndexEntry(31, "", [], [], new float[3])]));
        await engine.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default);
        Assert.Equal(2, _source.VectorReads);
        var follow = (await engine.GetStatsAsync(Collection, default)).Follow!;
        Assert.Equal((1L, 1, "the change log holds vectors of another dimension (a new embedding model)"), (follow.VersionsFromLog, follow.Rebuilds, follow.LastRebuild));

        _source.Version = 4;
        feed.Read = ChangeRead.Missing("the log was trimmed");
        await engine.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default);
        Assert.Equal(3, _source.VectorReads);
        Assert.Equal((2, "the log was trimmed"), ((await engine.GetStatsAsync(Collection, default)).Follow!.Rebuilds, (await engine.GetStatsAsync(Collection, default)).Follow!.LastRebuild));

        engine.Drop(Collection.Id);
        Assert.Null(engine.HeldVersion(Collection.Id));
        Assert.Equal(IndexFollow.None, (await engine.GetStatsAsync(Collection, default)).Follow);
    }

    [Fact]
    public async Task An_int8_engine_says_so_in_its_health_and_dropping_a_collection_without_a_snapshot_is_harmless()
    {
        using var engine = new HnswVectorSearchIndex(_source, _dir, Options with { M = 8, Quantization = VectorQuantization.Int8, RescoreFactor = 3, FloatVectorDirectory = _dir });
        Assert.Equal($"embedded HNSW (M=8, int8 vectors, float re-scoring of 3·k), snapshots in {_dir}", (await engine.CheckAsync(default)).Detail);
        Assert.Equal("on", (await engine.CheckAsync(default)).State);
        engine.Drop(Collection.Id);
        Assert.False(File.Exists(SnapshotPath));
        Assert.Equal(13, (await engine.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default))[0].ChunkId);
    }

    [Fact]
    public async Task A_snapshot_that_cannot_be_written_at_shutdown_is_logged_not_thrown()
    {
        var log = new ListLogger();
        string folder = Path.Combine(_dir, "gone");
        var engine = new HnswVectorSearchIndex(_source, folder, Options, log);
        await engine.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default);
        Directory.Delete(folder, recursive: true);
        await File.WriteAllTextAsync(folder, "a file where the folder was");

        engine.Dispose();

        Assert.Contains($"Could not write the vector snapshot of collection {Collection.Id}; it will be rebuilt at next start", log.Lines);
    }

    [Fact]
    public void The_registration_refuses_a_blank_folder_and_invalid_options_and_serves_one_engine_under_every_role()
    {
        var blank = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddHnswVectorIndex(" "));
        Assert.Equal("snapshotDirectory", blank.ParamName);
        Assert.StartsWith("the vector snapshot directory must be set", blank.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddHnswVectorIndex(_dir, new VectorIndexOptions { M = 1 }));

        var services = new ServiceCollection().AddSingleton<IIndexSource>(_source).AddHnswVectorIndex(_dir);
        using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<HnswVectorSearchIndex>();
        Assert.Same(engine, provider.GetRequiredService<IVectorSearchIndex>());
        Assert.Same(engine, provider.GetRequiredService<ISearchIndex>());
        Assert.Same(engine, provider.GetRequiredService<IComponentHealth>());
        Assert.Equal("hnsw", engine.Engine);
    }

    [Fact]
    public async Task Health_is_reported_under_the_vectors_component_whether_on_or_failed()
    {
        using var healthy = Engine();
        Assert.Equal(new ComponentStatus("vectors", "on", $"embedded HNSW (M=16), snapshots in {_dir}"), await healthy.CheckAsync(default));

        var notAFolder = Path.Combine(_dir, "file");
        await File.WriteAllTextAsync(notAFolder, "x");
        using var broken = Engine(notAFolder);
        Assert.Equal(
            new ComponentStatus("vectors", "failed", $"the vector snapshot folder {notAFolder} is a file; dense retrieval answers with BM25 only until it is fixed"),
            await broken.CheckAsync(default));
    }

    [Fact]
    public async Task Without_a_change_log_a_held_index_behind_the_store_is_rebuilt_from_it()
    {
        using var engine = Engine();
        await engine.SearchAsync(Collection, Axis(5), 1, new SearchFilter(), default);

        _source.Version = 2;
        _source.Vectors.Remove(15);
        var hits = await engine.SearchAsync(Collection, Axis(5), 8, new SearchFilter(), default);
        Assert.Equal(7, hits.Count);
        Assert.DoesNotContain(15L, hits.Select(h => h.ChunkId));
        Assert.Equal(2, _source.VectorReads);
        Assert.Equal(2, engine.HeldVersion(Collection.Id));
    }

    [Fact]
    public async Task Shutdown_writes_the_snapshot_of_the_deltas_applied_since_it_was_loaded_recreating_a_removed_folder()
    {
        string folder = Path.Combine(_dir, "snapshots");
        using (var first = Engine(folder))
        {
            await first.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default);
            _source.Version = 2;
            first.Apply(new IndexChange(Collection, 2, [13], [new IndexEntry(30, "", [], [], Axis(3))]));
            Directory.Delete(folder, recursive: true);
        }

        // The store has moved on by the same delta; the snapshot written at shutdown is at its version.
        _source.Vectors.Remove(13);
        _source.Vectors[30] = Axis(3);
        using var second = Engine(folder);
        Assert.Equal(30, (await second.SearchAsync(Collection, Axis(3), 1, new SearchFilter(), default))[0].ChunkId);
        Assert.Equal("loaded", (await second.GetStatsAsync(Collection, default)).Load);
        Assert.Equal(1, _source.VectorReads);
    }

    private HnswVectorSearchIndex Engine(string? directory = null, IChangeFeed? changes = null) => new(_source, directory ?? _dir, Options, changes);

    private static float[] Between(int a, int b)
    {
        var v = new float[Dimension];
        v[a] = v[b] = MathF.Sqrt(0.5f);
        return v;
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    private static float[] Axis(int axis)
    {
        var v = new float[Dimension];
        v[axis] = 1;
        return v;
    }

    /// <summary>A store with a settable version and filter result; counts how often the vectors are read (index rebuilds).</summary>
    private sealed class VectorSource : IIndexSource
    {
        public long Version { get; set; } = 1;

        public Dictionary<long, float[]> Vectors { get; } = [];

        public IReadOnlySet<long>? Matching { get; set; }

        public int VectorReads { get; private set; }

        public Task<long> GetVersionAsync(long collectionId, CancellationToken ct) => Task.FromResult(Version);

        public Task<IReadOnlySet<long>?> ChunksMatchingAsync(CollectionInfo collection, SearchFilter filter, CancellationToken ct) =>
            Task.FromResult(filter.IsEmpty ? null : Matching);

        public IIndexSnapshot OpenSnapshot(long collectionId) => new Snapshot(this);

        private sealed class Snapshot(VectorSource source) : IIndexSnapshot
        {
            public long Version { get; } = source.Version;

            public int VectorDimension => source.Vectors.Count == 0 ? 0 : source.Vectors.Values.Last().Length;

            public IEnumerable<IndexEntry> ReadTerms() => [];

            public IEnumerable<(long ChunkId, float[] Vector)> ReadVectors(int dimension)
            {
                source.VectorReads++;
                return source.Vectors.Where(v => v.Value.Length == dimension).Select(v => (v.Key, v.Value)).ToList();
            }

            public void Dispose()
            {
            }
        }
    }
}
