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
        // After a rebuild the snapshot on disk is current again.
        Assert.Equal(SnapshotStatus.Loaded, VectorIndexSnapshot.TryLoad(path, 4, 24, SnapshotKind.Hnsw, IndexFixtures.GraphOnly()).Status);
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
