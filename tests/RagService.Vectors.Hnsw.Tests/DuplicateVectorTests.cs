using Microsoft.Extensions.Logging.Abstractions;
using RagService.Vectors.Hnsw.Snapshots;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Many copies of one vector (boilerplate chunks: footers, disclaimers, empty table cells embed identically). Every
/// distance among the copies is 0, the degenerate case of HNSW: the graph must still reach every copy and every other
/// vector, and searches must rank as an exact scan does. The oracle is a brute-force scan in double precision that
/// does not penalise ties (among 300 identical vectors any 10 are a correct top 10).
/// </summary>
public sealed class DuplicateVectorTests : IDisposable
{
    private const int Dim = 32;
    private readonly string _dir = Directory.CreateTempSubdirectory("vecidx-dup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The service's defaults, but always through the graph (no exact scan of small sets).</summary>
    /// <summary>A beam that covers a good part of these 2,300-vector indexes.</summary>
    private const int WideEf = 800;

    private static VectorIndexOptions Options => IndexFixtures.GraphOnly() with { EfConstruction = 200, EfSearch = 100 };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void An_index_of_500_identical_vectors_reaches_and_returns_every_copy(int threads)
    {
        var data = CopiedVectorData.Create(random: 0, copies: 500, distance: 0, seed: 1);
        using var index = Build(data, threads);

        AssertHealthy(index, data);
        Assert.InRange(index.CheckGraph().DuplicateGroupMembers, 490, 499);   // copies inserted at the same moment may each be a node
        var all = index.Search(data.Copied, 500, (Func<long, bool>?)null, efSearch: 500);
        Assert.Equal(data.CopyIds.Order(), all.Select(h => h.Id).Order());
        Assert.Equal(10, index.Search(data.Copied, 10).Select(h => h.Id).Distinct().Count());
    }

    [Trait("Category", "LargeGraph")]
    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.0, 2)]
    [InlineData(1e-7, 1)]
    [InlineData(1e-7, 2)]
    [InlineData(1e-5, 1)]
    public void Copies_among_random_vectors_leave_every_node_reachable_and_searches_exact(double distance, int threads)
    {
        var data = CopiedVectorData.Create(random: 2_000, copies: 300, distance, seed: 11);
        using var index = Build(data, threads);

        AssertHealthy(index, data);
        foreach (int k in new[] { 10, 100 })
        {
            Assert.Equal(1.0, data.Recall(data.Copied, index.Search(data.Copied, k), k));
            // At the default ef the search is approximate (as on data without copies: the suite's bound is 0.999);
            // with a wide beam it must be exact, which only a graph that leads everywhere allows.
            double approximate = data.Queries.Average(q => data.Recall(q, index.Search(q, k), k));
            var wide = data.Queries.Select(q => data.Recall(q, index.Search(q, k, (Func<long, bool>?)null, efSearch: WideEf), k)).ToArray();
            Assert.True(approximate >= 0.999 && wide.All(r => r == 1.0),
                $"k={k}: recall {approximate:F4} at the default ef; at ef {WideEf} {wide.Count(r => r < 1)} of {wide.Length} random queries miss a true hit");
        }
    }

    [Trait("Category", "LargeGraph")]
    [Fact]
    public void Five_identical_chunks_are_all_in_a_top_10_they_lead()
    {
        var data = CopiedVectorData.Create(random: 2_000, copies: 5, distance: 0, seed: 5);
        using var index = Build(data, threads: 2);

        var hits = index.Search(data.Copied, 10);

        Assert.Equal(data.CopyIds.Order(), hits.Take(5).Select(h => h.Id).Order());
        Assert.Equal(data.ExactTop(data.Copied, 10).Skip(5), hits.Skip(5).Select(h => h.Id));
    }

    [Trait("Category", "LargeGraph")]
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Removing_or_replacing_some_copies_keeps_the_others_found(bool compact)
    {
        var data = CopiedVectorData.Create(random: 1_000, copies: 500, distance: 0, seed: 3);
        using var index = Build(data, threads: 1);
        // The first copy inserted is the one a one-thread build keeps in the graph; remove it and every 7th.
        var ordered = data.CopyIds.Order().ToArray();
        var removed = ordered.Where((_, i) => i % 7 == 0).ToHashSet();
        var replaced = ordered.Where((_, i) => i % 7 == 3).ToHashSet();
        foreach (long id in removed)
        {
            Assert.True(index.Remove(id));
        }

        var elsewhere = data.Queries[0];
        foreach (long id in replaced)
        {
            index.Upsert(id, elsewhere);
        }

        if (compact)
        {
            index.Compact();
        }

        var kept = data.CopyIds.Where(id => !removed.Contains(id) && !replaced.Contains(id)).Order().ToArray();
        // A short list first: a search that found fewer than k would fall back to an exact scan and hide a lost copy.
        Assert.All(index.Search(data.Copied, 10), h => Assert.Contains(h.Id, kept));
        var hits = index.Search(data.Copied, kept.Length, (Func<long, bool>?)null, efSearch: 2 * kept.Length);
        Assert.Equal(kept, hits.Select(h => h.Id).Order());
        Assert.Equal(replaced.Order(), index.Search(elsewhere, replaced.Count).Select(h => h.Id).Order());
        var odd = index.Search(data.Copied, 20, id => id % 2 == 1);
        Assert.Equal(20, odd.Count);
        Assert.All(odd, h => Assert.True(h.Id % 2 == 1 && kept.Contains(h.Id)));
    }

    [Trait("Category", "LargeGraph")]
    [Fact]
    public void Copies_inserted_removed_and_searched_concurrently_stay_found()
    {
        var data = CopiedVectorData.Create(random: 1_600, copies: 0, distance: 0, seed: 8);
        var random = data.Vectors;
        using var index = new HnswIndex(Dim, Options);
        // copies have ids below 1,000, random vectors 2,000 + their index
        index.UpsertMany(1_050, i => i < 50 ? i : 1_950 + i, i => i < 50 ? data.Copied : random[i - 50], 2);
        for (long id = 0; id < 10; id++)
        {
            index.Remove(id);   // gone for good: the first copy held the graph node, which stays as a tombstoned bridge
        }

        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int writersLeft = 3, searches = 0;
        void Writer(Action work)
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                failures.Enqueue(e.ToString());
            }
            finally
            {
                Interlocked.Decrement(ref writersLeft);
            }
        }

        void CopiesAndRandom(int firstCopy, int firstRandom)
        {
            for (int i = 0; i < 300; i++)
            {
                index.Upsert(firstCopy + i, data.Copied);
                index.Upsert(2_000 + firstRandom + i, random[firstRandom + i]);
            }
        }

        void Reader()
        {
            while (Volatile.Read(ref writersLeft) > 0 || Volatile.Read(ref searches) < 100)
            {
                var hits = index.Search(data.Copied, 10);
                Interlocked.Increment(ref searches);
                if (hits.Count != 10 || hits.Select(h => h.Id).Distinct().Count() != 10
                    || hits.Any(h => h.Id < 10 || h.Id >= 1_000 || h.Score < 0.999f))
                {
                    failures.Enqueue(string.Join(", ", hits.Select(h => $"{h.Id}:{h.Score:F4}")));
                }
            }
        }

        var threads = new[]
        {
            new Thread(() => Writer(() => CopiesAndRandom(100, 1_000))),
            new Thread(() => Writer(() => CopiesAndRandom(400, 1_300))),
            new Thread(() => Writer(() =>
            {
                for (long id = 10; id < 40; id++)
                {
                    if (id < 30)
                    {
                        index.Remove(id);
                    }
                    else
                    {
                        index.Upsert(id, data.Queries[0]);   // moved away from the copies
                    }
                }
            })),
            new Thread(Reader),
            new Thread(Reader),
        };
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        Assert.Empty(failures);
        var live = Enumerable.Range(40, 10).Concat(Enumerable.Range(100, 600)).Select(i => (long)i).ToArray();
        var health = index.CheckGraph();
        Assert.Empty(health.Problems);
        Assert.Equal(0, health.UnreachableLiveNodes);
        Assert.Equal(live, index.Search(data.Copied, live.Length, (Func<long, bool>?)null, efSearch: 2 * live.Length).Select(h => h.Id).Order());
    }

    [Trait("Category", "LargeGraph")]
    [Fact]
    public void Snapshot_round_trip_keeps_the_copies_and_their_removals()
    {
        var data = CopiedVectorData.Create(random: 1_000, copies: 500, distance: 0, seed: 4);
        using var index = Build(data, threads: 2);
        foreach (long id in data.CopyIds.Where(id => id % 5 == 0))
        {
            index.Remove(id);
        }

        string path = Path.Combine(_dir, "dup.snap");
        index.SaveSnapshot(path, sourceVersion: 9);

        var loaded = VectorIndexSnapshot.TryLoad(path, 9, Dim, SnapshotKind.Hnsw, Options);

        Assert.Equal(SnapshotStatus.Loaded, loaded.Status);
        using var copy = (HnswIndex)loaded.Index!;
        Assert.True(copy.CheckGraph().IsHealthy);
        var live = data.CopyIds.Where(id => id % 5 != 0).Order().ToArray();
        Assert.Equal(live, copy.Search(data.Copied, live.Length, (Func<long, bool>?)null, efSearch: 2 * live.Length).Select(h => h.Id).Order());
        foreach (var q in data.Queries.Take(50).Append(data.Copied))
        {
            Assert.Equal(index.Search(q, 10), copy.Search(q, 10));
        }
    }

    [Trait("Category", "LargeGraph")]
    [Fact]
    public void A_snapshot_of_the_previous_format_version_is_rebuilt()
    {
        var data = CopiedVectorData.Create(random: 500, copies: 50, distance: 0, seed: 6);
        string path = Path.Combine(_dir, "v1.snap");
        using (var old = Build(data, threads: 1))
        {
            old.SaveSnapshot(path, sourceVersion: 2);
        }

        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), 1);   // format version 1: no duplicate groups in the payload
        File.WriteAllBytes(path, bytes);

        var loaded = VectorIndexSnapshot.TryLoad(path, 2, Dim, SnapshotKind.Hnsw, Options);
        var rebuilt = VectorIndexSnapshot.LoadOrRebuild(path, 2, Dim,
            () => data.Vectors.Select((v, i) => ((long)i, v)), NullLogger.Instance, Options);

        Assert.Equal(SnapshotStatus.Incompatible, loaded.Status);
        Assert.Contains("format version 1", loaded.Detail, StringComparison.Ordinal);
        Assert.Equal(SnapshotStatus.Incompatible, rebuilt.SnapshotStatus);
        using var index = rebuilt.Index;
        Assert.True(rebuilt.Rebuilt);
        Assert.Equal(data.CopyIds.Order(), index.Search(data.Copied, 50).Select(h => h.Id).Order());
    }

    private static HnswIndex Build(CopiedVectorData data, int threads)
    {
        var index = new HnswIndex(Dim, Options);
        IndexFixtures.Fill(index, data.Vectors, threads);
        return index;
    }

    private static void AssertHealthy(HnswIndex index, CopiedVectorData data)
    {
        var health = index.CheckGraph();
        Assert.Empty(health.Problems);
        Assert.Equal(data.Vectors.Length, health.LiveNodes);
        Assert.Equal(0, health.UnreachableLiveNodes);
    }

    /// <summary>Random unit vectors and copies of one more (exact, or moved a given L2 distance), shuffled together.</summary>
    private sealed record CopiedVectorData(float[][] Vectors, long[] CopyIds, float[] Copied, float[][] Queries)
    {
        public static CopiedVectorData Create(int random, int copies, double distance, int seed)
        {
            var rng = new Random(seed);
            var copied = Unit(rng);
            var rows = Enumerable.Range(0, random).Select(_ => (Vector: Unit(rng), Copy: false))
                .Concat(Enumerable.Range(0, copies).Select(_ => (Vector: Moved(rng, copied, distance), Copy: true))).ToArray();
            rng.Shuffle(rows);
            var ids = Enumerable.Range(0, rows.Length).Where(i => rows[i].Copy).Select(i => (long)i).ToArray();
            var queries = Enumerable.Range(0, 200).Select(_ => Unit(rng)).ToArray();
            return new CopiedVectorData(rows.Select(r => r.Vector).ToArray(), ids, copied, queries);
        }

        /// <summary>Share of the k hits whose exact score reaches the exact k-th best score (float32 rounding aside).</summary>
        public double Recall(float[] query, IReadOnlyList<NeighbourHit> hits, int k)
        {
            var scores = Vectors.Select(v => Dot(v, query)).ToArray();
            double kth = scores.OrderDescending().ElementAt(k - 1);
            return (double)hits.Select(h => h.Id).Distinct().Count(id => scores[id] >= kth - 1e-6) / k;
        }

        public IEnumerable<long> ExactTop(float[] query, int k) =>
            Vectors.Select((v, i) => (Id: (long)i, Score: Dot(v, query))).OrderByDescending(x => x.Score).Take(k).Select(x => x.Id);

        private static float[] Moved(Random rng, float[] from, double distance)
        {
            if (distance == 0)
            {
                return (float[])from.Clone();
            }

            var direction = Unit(rng);
            return Normalised(from.Select((x, i) => x + distance * direction[i]).ToArray());
        }

        private static float[] Unit(Random rng) => Normalised(Enumerable.Range(0, Dim)
            .Select(_ => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())).ToArray());

        private static float[] Normalised(double[] v)
        {
            double norm = Math.Sqrt(v.Sum(x => x * x));
            return v.Select(x => (float)(x / norm)).ToArray();
        }

        private static double Dot(float[] a, float[] b)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++)
            {
                s += (double)a[i] * b[i];
            }

            return s;
        }
    }
}
