using Microsoft.Extensions.Logging;
using RagService.Vectors.Hnsw.Snapshots;

namespace RagService.Vectors.Hnsw.Tests;

public sealed class SnapshotTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vecidx-").FullName;
    private readonly ClusteredData _data = new(24, seed: 9);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private (HnswIndex Index, float[][] Vectors) Build(int n = 3_000)
    {
        var vectors = _data.Take(n);
        var index = new HnswIndex(24, IndexFixtures.GraphOnly());
        IndexFixtures.Fill(index, vectors);
        for (int i = 0; i < n; i += 10)
        {
            index.Remove(i);
        }

        return (index, vectors);
    }

    [Trait("Category", "LargeGraph")]
    [Fact]
    public void Round_trip_gives_identical_results()
    {
        var (index, _) = Build();
        using var _1 = index;
        string path = PathOf("hnsw.snap");
        index.SaveSnapshot(path, sourceVersion: 42);

        var loaded = VectorIndexSnapshot.TryLoad(path, 42, 24, SnapshotKind.Hnsw, IndexFixtures.GraphOnly());

        Assert.Equal(SnapshotStatus.Loaded, loaded.Status);
        using var copy = loaded.Index!;
        Assert.Equal(index.Count, copy.Count);
        Assert.Equal(index.DeletedCount, copy.DeletedCount);
        foreach (var q in _data.Take(100))
        {
            Assert.Equal(index.Search(q, 10), copy.Search(q, 10));
            Assert.Equal(index.Search(q, 5, id => id % 3 == 0), copy.Search(q, 5, id => id % 3 == 0));
        }
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Exact_index_round_trips_too()
    {
        var vectors = _data.Take(500);
        using var index = new ExactIndex(24);
        IndexFixtures.Fill(index, vectors);
        string path = PathOf("exact.snap");
        index.SaveSnapshot(path, 1);

        var loaded = VectorIndexSnapshot.TryLoad(path, 1, 24, SnapshotKind.Exact);

        Assert.Equal(SnapshotStatus.Loaded, loaded.Status);
        using var copy = loaded.Index!;
        Assert.IsType<ExactIndex>(copy);
        var q = _data.Next();
        Assert.Equal(index.Search(q, 10), copy.Search(q, 10));
    }

    [Theory]
    [InlineData("truncate-payload")]
    [InlineData("truncate-header")]
    [InlineData("flip-payload-byte")]
    [InlineData("flip-header-byte")]
    [InlineData("garbage")]
    [InlineData("empty")]
    public void Damaged_snapshots_are_reported_corrupt(string damage)
    {
        var (index, _) = Build(120);
        using var _1 = index;
        string path = PathOf("snap");
        index.SaveSnapshot(path, 7);
        var bytes = File.ReadAllBytes(path);
        byte[] damaged = damage switch
        {
            "truncate-payload" => bytes[..(bytes.Length - 100)],
            "truncate-header" => bytes[..30],
            "flip-payload-byte" => Flip(bytes, bytes.Length / 2),
            "flip-header-byte" => Flip(bytes, 20),
            "garbage" => Enumerable.Range(0, 5000).Select(i => (byte)(i * 31)).ToArray(),
            _ => [],
        };
        File.WriteAllBytes(path, damaged);

        var loaded = VectorIndexSnapshot.TryLoad(path, 7, 24, SnapshotKind.Hnsw, IndexFixtures.GraphOnly());

        Assert.Equal(SnapshotStatus.Corrupt, loaded.Status);
        Assert.Null(loaded.Index);
    }

    [Fact]
    public void Stale_missing_and_incompatible_snapshots_are_told_apart()
    {
        var (index, _) = Build(120);
        using var _1 = index;
        string path = PathOf("snap");
        index.SaveSnapshot(path, 5);

        Assert.Equal(SnapshotStatus.Stale, VectorIndexSnapshot.TryLoad(path, 6, 24, SnapshotKind.Hnsw, IndexFixtures.GraphOnly()).Status);
        Assert.Equal(SnapshotStatus.Missing, VectorIndexSnapshot.TryLoad(PathOf("none"), 5, 24).Status);
        Assert.Equal(SnapshotStatus.Incompatible, VectorIndexSnapshot.TryLoad(path, 5, 32, SnapshotKind.Hnsw, IndexFixtures.GraphOnly()).Status);
        Assert.Equal(SnapshotStatus.Incompatible, VectorIndexSnapshot.TryLoad(path, 5, 24, SnapshotKind.Hnsw, IndexFixtures.GraphOnly(m: 8)).Status);
    }

    [Theory]
    [InlineData("missing", SnapshotStatus.Missing)]
    [InlineData("stale", SnapshotStatus.Stale)]
    [InlineData("corrupt", SnapshotStatus.Corrupt)]
    [InlineData("current", SnapshotStatus.Loaded)]
    public void LoadOrRebuild_rebuilds_from_the_source_when_needed_and_logs_why(string situation, SnapshotStatus expected)
    {
        var vectors = _data.Take(120);
        var source = vectors.Select((v, i) => ((long)i + 100, v)).ToList();
        string path = PathOf("store.snap");
        if (situation != "missing")
        {
            using var old = new HnswIndex(24, IndexFixtures.GraphOnly());
            old.UpsertMany(source.Count, i => source[i].Item1, i => source[i].v);
            old.SaveSnapshot(path, situation == "stale" ? 3 : 4);
            if (situation == "corrupt")
            {
                File.WriteAllBytes(path, File.ReadAllBytes(path)[..^1]);
            }
        }
        var log = new ListLogger();
        int sourceReads = 0;

        var result = VectorIndexSnapshot.LoadOrRebuild(path, 4, 24, () => { sourceReads++; return source; }, log, IndexFixtures.GraphOnly());

        using var index = result.Index;
        Assert.Equal(expected, result.SnapshotStatus);
        Assert.Equal(expected != SnapshotStatus.Loaded, result.Rebuilt);
        Assert.Equal(result.Rebuilt ? 1 : 0, sourceReads);
        Assert.Equal(120, index.Count);
        Assert.Equal(105, index.Search(vectors[5], 1)[0].Id);
        Assert.Contains(log.Lines, l => l.Contains(expected == SnapshotStatus.Loaded ? "loaded from snapshot" : expected.ToString().ToLowerInvariant(), StringComparison.Ordinal));
        Assert.Equal(result.Rebuilt ? 1 : 0, log.Lines.Count(l =>
            l.StartsWith("Vector index rebuilt: 120 vectors in ", StringComparison.Ordinal) && l.EndsWith($" s, snapshot written to {path}", StringComparison.Ordinal)));
        // The caller's options, not the defaults (GraphOnly's ef is 64, the default 100).
        Assert.Equal(64, index.Options.EfSearch);
        // After a rebuild the snapshot on disk is current again.
        Assert.Equal(SnapshotStatus.Loaded, VectorIndexSnapshot.TryLoad(path, 4, 24, SnapshotKind.Hnsw, IndexFixtures.GraphOnly()).Status);
    }

    [Fact]
    public void LoadOrRebuild_builds_the_kind_asked_for_and_refuses_a_missing_source()
    {
        var source = _data.Take(5).Select((v, i) => ((long)i, v)).ToList();
        var result = VectorIndexSnapshot.LoadOrRebuild(PathOf("exact.snap"), 1, 24, () => source, new ListLogger(), IndexFixtures.GraphOnly(), SnapshotKind.Exact);
        using (var index = result.Index)
        {
            Assert.IsType<ExactIndex>(index);
            Assert.Equal((SnapshotStatus.Missing, 5), (result.SnapshotStatus, index.Count));
        }

        var error = Assert.Throws<ArgumentNullException>(() => VectorIndexSnapshot.LoadOrRebuild(PathOf("none.snap"), 1, 24, null!, new ListLogger()));
        Assert.Equal("source", error.ParamName);
    }

    [Fact]
    public void A_snapshot_is_written_into_a_new_folder_and_a_failed_write_leaves_no_temporary_file()
    {
        using var index = new HnswIndex(24, IndexFixtures.GraphOnly());
        index.Upsert(7, _data.Take(1)[0]);
        string path = Path.Combine(_dir, "new", "one.snap");

        index.SaveSnapshot(path, 2);

        // One vector: its slot 0 is the entry point, which the loader accepts.
        var loaded = VectorIndexSnapshot.TryLoad(path, 2, 24, SnapshotKind.Hnsw, IndexFixtures.GraphOnly());
        Assert.Equal((SnapshotStatus.Loaded, "1 vectors"), (loaded.Status, loaded.Detail));
        loaded.Index!.Dispose();

        string occupied = PathOf("occupied.snap");
        Directory.CreateDirectory(occupied);
        Assert.ThrowsAny<IOException>(() => index.SaveSnapshot(occupied, 2));
        Assert.Equal([occupied], Directory.GetFileSystemEntries(_dir).Where(e => e != Path.Combine(_dir, "new")));
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x5A;
        return copy;
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
