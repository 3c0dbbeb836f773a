using System.Collections.Concurrent;
using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw.Tests;

[Trait("Category", "LargeGraph")]
public class ConcurrencyTests
{
    [Fact]
    public void Concurrent_inserts_updates_removes_and_searches_leave_a_consistent_graph()
    {
        const int dim = 32;
        var data = new ClusteredData(dim, seed: 21);
        var vectors = data.Take(9_000);
        var updates = data.Take(1_000);
        var queries = data.Take(200);
        using var index = new HnswIndex(dim, IndexFixtures.GraphOnly());
        index.UpsertMany(3_000, i => i, i => vectors[i], 2);
        for (int i = 0; i < 1_000; i++)
        {
            index.Remove(i);   // gone for good: must never show up
        }

        var failures = new ConcurrentQueue<string>();
        int writersLeft = 3;
        int searches = 0;
        void Reader(int seed)
        {
            var rnd = new Random(seed);
            while (Volatile.Read(ref writersLeft) > 0 || Volatile.Read(ref searches) < 200)
            {
                var q = queries[rnd.Next(queries.Length)];
                var hits = rnd.Next(3) == 0 ? index.Search(q, 10, id => id % 2 == 1) : index.Search(q, 10);
                Interlocked.Increment(ref searches);
                if (hits.Count != 10)
                {
                    failures.Enqueue($"{hits.Count} hits");
                }

                if (hits.Any(h => h.Id < 1_000))
                {
                    failures.Enqueue("removed id returned");
                }

                if (hits.Select(h => h.Id).Distinct().Count() != hits.Count)
                {
                    failures.Enqueue("duplicate ids");
                }

                for (int i = 1; i < hits.Count; i++)
                {
                    if (hits[i - 1].Score < hits[i].Score)
                    {
                        failures.Enqueue("not best first");
                    }
                }
            }
        }
        void Writer(Action work)
        {
            try { work(); }
            catch (Exception e) { failures.Enqueue(e.ToString()); }
            finally { Interlocked.Decrement(ref writersLeft); }
        }

        var threads = new[]
        {
            new Thread(() => Writer(() => { for (int i = 3_000; i < 6_000; i++) { index.Upsert(i, vectors[i]); } })),
            new Thread(() => Writer(() => { for (int i = 6_000; i < 9_000; i++) { index.Upsert(i, vectors[i]); } })),
            new Thread(() => Writer(() =>
            {
                for (int i = 0; i < 1_000; i++)
                {
                    index.Upsert(1_000 + i, updates[i]);
                    if (i < 500) { index.Remove(2_000 + i); } }
            })),
            new Thread(() => Reader(1)),
            new Thread(() => Reader(2)),
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
        var expectedIds = Enumerable.Range(1_000, 8_000).Where(i => i is < 2_000 or >= 2_500).Select(i => (long)i);
        Assert.Equal(expectedIds, index.State.Vectors.LiveEntries().Select(e => e.Id).Order());
        Assert.Equal(7_500, index.Count);
        var report = GraphConsistency.Inspect(index.State);
        Assert.Empty(report.Problems);
        Assert.Equal(7_500, report.LiveNodes);
        // HNSW's pruning can orphan a rare node (hnswlib behaves alike): graph searches miss it until
        // compaction relinks it, which is why this is a bound and not equality.
        Assert.True(report.ReachableLiveNodes >= 0.995 * report.LiveNodes, $"{report.ReachableLiveNodes} of {report.LiveNodes} reachable");

        using var exact = new ExactIndex(dim);
        for (int i = 1_000; i < 9_000; i++)
        {
            if (i is >= 2_000 and < 2_500)
            {
                continue;
            }

            exact.Upsert(i, i < 2_000 ? updates[i - 1_000] : vectors[i]);
        }
        Assert.True(IndexFixtures.Recall(index, exact, queries, 10, ef: 64) >= 0.95);
    }

    [Fact]
    public async Task Searches_do_not_wait_for_compaction()
    {
        var data = new ClusteredData(16, seed: 4);
        var vectors = data.Take(4_000);
        using var index = new HnswIndex(16, IndexFixtures.GraphOnly());
        IndexFixtures.Fill(index, vectors);
        for (int i = 0; i < 2_000; i++)
        {
            index.Remove(i);
        }

        // The hook holds compaction after it has built the new generation, inside its exclusive lock, until the test has
        // searched: a search that waited for compaction would never return, and the bounded wait below would fail.
        using var built = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        index.CompactionBuilt = () =>
        {
            built.Set();
            release.Wait();
        };
        var compaction = Task.Run(index.Compact);
        built.Wait();

        var searches = Task.Run(() => Enumerable.Range(0, 50).Select(i => index.Search(vectors[2_000 + i], 5)).ToList());
        var finished = await Task.WhenAny(searches, Task.Delay(TimeSpan.FromMinutes(2)));
        var heldWhileSearching = !compaction.IsCompleted;
        release.Set();
        await compaction;
        var hits = await searches;
        Assert.True(finished == searches, "searches waited for compaction");
        Assert.True(heldWhileSearching);

        // Searched during compaction, on the old generation: each query is a live vector and is found, no removed id comes back.
        Assert.All(Enumerable.Range(0, 50), i => Assert.Contains(hits[i], h => h.Id == 2_000 + i));
        Assert.All(hits, h => Assert.Equal(5, h.Count));
        Assert.All(hits.SelectMany(h => h), h => Assert.True(h.Id >= 2_000));
        Assert.Equal(2_000, index.Count);
        Assert.Equal(0, index.DeletedCount);
        Assert.Empty(GraphConsistency.Inspect(index.State).Problems);
    }
}
