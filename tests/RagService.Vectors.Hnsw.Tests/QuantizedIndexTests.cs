using RagService.Vectors.Hnsw.Snapshots;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// HNSW over int8 codes (<see cref="VectorQuantization.Int8"/>): recall on real MiniLM vectors next to the float graph,
/// exact float scores after re-scoring, filters and the exact-scan paths, snapshots (kept and reused; another setting
/// rebuilds), and calibration as an index grows one vector at a time. The reference is <see cref="ExactIndex"/>.
/// </summary>
[Trait("Category", "LargeGraph")]
public sealed class QuantizedIndexTests : IDisposable
{
    private static readonly Lazy<RealEmbeddingFixture> Real = new(RealEmbeddingFixture.Load);
    private readonly string _dir = Directory.CreateTempSubdirectory("hnsw-int8-").FullName;
    private readonly ClusteredData _data = new(24, seed: 11);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private VectorIndexOptions Int8(VectorIndexOptions? baseOptions = null) =>
        (baseOptions ?? IndexFixtures.GraphOnly()) with { Quantization = VectorQuantization.Int8, FloatVectorDirectory = _dir };

    [Fact]
    public void Recall_at_10_on_real_minilm_vectors_is_within_half_a_point_of_the_float_graph()
    {
        var (chunks, questions) = Real.Value;
        var options = new VectorIndexOptions { ExactSearchThreshold = 0, AutoCompactDeletedRatio = 0, DeterministicBuild = true };
        using var exact = new ExactIndex(chunks[0].Length);
        using var floats = new HnswIndex(chunks[0].Length, options);
        using var int8 = new HnswIndex(chunks[0].Length, Int8(options));
        foreach (var index in new NeighbourIndex[] { exact, floats, int8 })
        {
            IndexFixtures.Fill(index, chunks);
        }

        Assert.Equal(VectorQuantization.Int8, int8.Quantization);
        // The default breadth finds all 10 in both on 2,000 vectors; the narrow ones show the int8 graph's own quality.
        foreach (int? ef in new int?[] { null, 10, 16, 32 })
        {
            double floatRecall = IndexFixtures.Recall(floats, exact, questions, 10, ef);
            double int8Recall = IndexFixtures.Recall(int8, exact, questions, 10, ef);
            Assert.True(int8Recall >= floatRecall - 0.005, $"ef {ef}: int8 recall@10 {int8Recall:F4}, float {floatRecall:F4}");
        }
    }

    [Fact]
    public void Hits_carry_the_exact_float_score_of_their_vector()
    {
        var vectors = _data.Take(2_000);
        using var index = new HnswIndex(24, Int8());
        IndexFixtures.Fill(index, vectors);
        foreach (var q in _data.Take(20))
        {
            foreach (var hit in index.Search(q, 10))
            {
                Assert.InRange(hit.Score - Dot(q, vectors[hit.Id]), -1e-5f, 1e-5f);
            }
        }
    }

    [Fact]
    public void Filtered_graph_search_and_the_exact_paths_answer_like_the_float_index()
    {
        var vectors = _data.Take(3_000);
        var forced = Int8() with { FilteredExactMaxMatches = 0, FilterSelectivityThreshold = 0 };
        using var graphFiltered = new HnswIndex(24, forced);
        using var exactRouted = new HnswIndex(24, Int8() with { ExactSearchThreshold = 10_000 });
        using var exact = new ExactIndex(24);
        foreach (var index in new NeighbourIndex[] { graphFiltered, exactRouted, exact })
        {
            IndexFixtures.Fill(index, vectors);
        }

        Func<long, bool> thirds = id => id % 3 == 0;
        var allowed = Enumerable.Range(0, 40).Select(i => (long)i * 7).ToList();
        long matched = 0, hits = 0;
        foreach (var q in _data.Take(50))
        {
            // Small and exact-routed sets scan the float vectors: the same hits and scores as the exact index.
            Assert.Equal(exact.Search(q, 10), exactRouted.Search(q, 10));
            Assert.Equal(exact.Search(q, 10, thirds), exactRouted.Search(q, 10, thirds));
            Assert.Equal(exact.Search(q, 5, allowed), graphFiltered.Search(q, 5, allowed));

            var found = graphFiltered.Search(q, 10, thirds);
            Assert.Equal(10, found.Count);
            Assert.All(found, h => Assert.True(thirds(h.Id)));
            var truth = exact.Search(q, 10, thirds).Select(h => h.Id).ToHashSet();
            matched += found.Count(h => truth.Contains(h.Id));
            hits += 10;
        }

        Assert.True(matched >= 0.95 * hits, $"filtered recall@10 {(double)matched / hits:F3}");
    }

    [Fact]
    public void When_the_graph_finds_fewer_than_k_live_hits_the_exact_scan_fills_in()
    {
        var vectors = _data.Take(2_000);
        using var index = new HnswIndex(24, Int8());
        using var exact = new ExactIndex(24);
        IndexFixtures.Fill(index, vectors);
        IndexFixtures.Fill(exact, vectors);
        for (int id = 0; id < 1_990; id++)
        {
            index.Remove(id);
            exact.Remove(id);
        }

        Assert.Equal(exact.Search(vectors[3], 10), index.Search(vectors[3], 10));
    }

    [Fact]
    public void A_snapshot_keeps_codes_and_calibration_and_answers_the_same_after_loading()
    {
        var vectors = _data.Take(3_000);
        using var index = new HnswIndex(24, Int8());
        IndexFixtures.Fill(index, vectors);
        for (int i = 0; i < 3_000; i += 10)
        {
            index.Remove(i);
        }

        string path = Path.Combine(_dir, "int8.snap");
        index.SaveSnapshot(path, 7);

        var loaded = VectorIndexSnapshot.TryLoad(path, 7, 24, SnapshotKind.Hnsw, Int8());

        Assert.Equal(SnapshotStatus.Loaded, loaded.Status);
        using var copy = loaded.Index!;
        Assert.Equal(VectorQuantization.Int8, copy.Quantization);
        // Both indexes' float files live in _dir, unlinked from the start: nothing is left behind, even after a crash.
        Assert.Equal([path], Directory.GetFiles(_dir));
        Assert.Equal(index.State.Vectors.Quantizer!.Min.ToArray(), copy.State.Vectors.Quantizer!.Min.ToArray());
        Assert.Equal(index.State.Vectors.Quantizer!.Step.ToArray(), copy.State.Vectors.Quantizer!.Step.ToArray());
        foreach (var q in _data.Take(100))
        {
            Assert.Equal(index.Search(q, 10), copy.Search(q, 10));
            Assert.Equal(index.Search(q, 5, id => id % 3 == 0), copy.Search(q, 5, id => id % 3 == 0));
        }
    }

    [Fact]
    public void A_snapshot_of_the_other_setting_is_incompatible_and_a_rebuild_says_so()
    {
        var vectors = _data.Take(500);
        var source = vectors.Select((v, i) => ((long)i, v)).ToList();
        string floatPath = Path.Combine(_dir, "float.snap"), int8Path = Path.Combine(_dir, "int8.snap");
        using (var floats = new HnswIndex(24, IndexFixtures.GraphOnly()))
        using (var int8 = new HnswIndex(24, Int8()))
        {
            IndexFixtures.Fill(floats, vectors);
            IndexFixtures.Fill(int8, vectors);
            floats.SaveSnapshot(floatPath, 1);
            int8.SaveSnapshot(int8Path, 1);
        }

        var asInt8 = VectorIndexSnapshot.TryLoad(floatPath, 1, 24, SnapshotKind.Hnsw, Int8());
        var asFloat = VectorIndexSnapshot.TryLoad(int8Path, 1, 24, SnapshotKind.Hnsw, IndexFixtures.GraphOnly());
        Assert.Equal((SnapshotStatus.Incompatible, "snapshot vectors are none (float32), Rag:Vectors:Quantization is int8"), (asInt8.Status, asInt8.Detail));
        Assert.Equal((SnapshotStatus.Incompatible, "snapshot vectors are int8, Rag:Vectors:Quantization is none (float32)"), (asFloat.Status, asFloat.Detail));

        var rebuilt = VectorIndexSnapshot.LoadOrRebuild(floatPath, 1, 24, () => source, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Int8());
        using var index = rebuilt.Index;
        Assert.Equal(SnapshotStatus.Incompatible, rebuilt.SnapshotStatus);
        Assert.Equal(VectorQuantization.Int8, index.Quantization);
        Assert.Equal(500, index.State.Vectors.Quantizer!.CalibratedOn);
        Assert.Equal(SnapshotStatus.Loaded, VectorIndexSnapshot.TryLoad(floatPath, 1, 24, SnapshotKind.Hnsw, Int8()).Status);
    }

    [Fact]
    public async Task An_index_filled_one_vector_at_a_time_calibrates_again_each_time_it_doubles()
    {
        var vectors = _data.Take(3_000);
        using var index = new HnswIndex(24, Int8());
        using var exact = new ExactIndex(24);
        for (int i = 0; i < vectors.Length; i++)
        {
            index.Upsert(i, vectors[i]);
            await index.BackgroundCompaction;
        }

        IndexFixtures.Fill(exact, vectors);
        var quantizer = index.State.Vectors.Quantizer!;
        Assert.Equal(2_048, quantizer.CalibratedOn);
        for (int d = 0; d < 24; d++)
        {
            Assert.Equal(vectors.Take(2_048).Min(v => v[d]), quantizer.Min[d]);
        }

        Assert.True(IndexFixtures.Recall(index, exact, _data.Take(100), 10) >= 0.95);
    }

    [Fact]
    public void Copies_of_one_vector_join_one_duplicate_group_by_their_codes_and_are_all_found()
    {
        var vectors = _data.Take(2_000).Concat(Enumerable.Repeat(_data.Take(1)[0], 300)).ToArray();
        using var index = new HnswIndex(24, Int8());
        using var exact = new ExactIndex(24);
        IndexFixtures.Fill(index, vectors, threads: 1);
        IndexFixtures.Fill(exact, vectors);

        var health = index.CheckGraph();
        Assert.Equal((0, 299), (health.UnreachableLiveNodes, health.DuplicateGroupMembers)); // the first copy is the node
        var hits = index.Search(vectors[^1], 50);
        Assert.Equal(50, hits.Count);
        Assert.All(hits, h => Assert.InRange(h.Id, 2_000, 2_299));
        Assert.True(IndexFixtures.Recall(index, exact, _data.Take(100), 10) >= 0.95);
    }

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
