using RagService.Vectors.Hnsw.Internal.Quantization;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Small graphs (fast enough to run per mutant) with near-copies kept off the graph as a duplicate group, and over int8
/// codes: every member is ranked by its own exact score, tombstones and filters apply per member, and an int8 graph
/// answers with the float scores of the vectors it re-scores. The reference is a brute-force scan in the test.
/// </summary>
public sealed class SmallDuplicateAndInt8Tests : IDisposable
{
    private const int Dim = 8;
    private readonly string _dir = Directory.CreateTempSubdirectory("hnsw-small-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static VectorIndexOptions Options => new() { M = 4, EfConstruction = 32, ExactSearchThreshold = 0, DeterministicBuild = true, AutoCompactDeletedRatio = 0 };

    /// <summary>40 random unit vectors (ids 0..39) and 6 near-copies of one more (ids 100..105), each moved 1e-4 in its own direction.</summary>
    private static (float[][] Random, float[] Centre, float[][] Copies) Data()
    {
        var rng = new Random(23);
        var random = Enumerable.Range(0, 40).Select(_ => Unit(rng)).ToArray();
        var centre = Unit(rng);
        var copies = Enumerable.Range(0, 6).Select(_ =>
        {
            var d = Unit(rng);
            return Normalised(centre.Select((x, i) => x + 1e-4f * d[i]).ToArray());
        }).ToArray();
        return (random, centre, copies);
    }

    private static HnswIndex Build(VectorIndexOptions options, float[][] random, float[][] copies)
    {
        var index = new HnswIndex(Dim, options);
        index.UpsertMany(random.Length, i => i, i => random[i], threads: 1);
        index.UpsertMany(copies.Length, i => 100 + i, i => copies[i], threads: 1);
        return index;
    }

    [Fact]
    public void Near_copies_join_one_group_and_are_each_ranked_by_their_own_score()
    {
        var (random, centre, copies) = Data();
        using var index = Build(Options, random, copies);

        var health = index.CheckGraph();
        Assert.Equal((5, 0), (health.DuplicateGroupMembers, health.UnreachableLiveNodes));
        Assert.True(health.IsHealthy);
        // A query a little away from the copies: their order is that of their exact scores, then the random vectors.
        var query = Normalised(centre.Select((x, i) => x + (0.3f * random[0][i])).ToArray());
        var all = random.Select((v, i) => (Id: (long)i, V: v)).Concat(copies.Select((v, i) => (Id: 100L + i, V: v))).ToArray();
        var expected = all.OrderByDescending(x => Dot(query, x.V)).Take(10).ToArray();

        var hits = index.Search(query, 10);

        Assert.Equal(expected.Select(x => x.Id), hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.Equal(Dot(query, all.Single(x => x.Id == h.Id).V), h.Score, 6));
        // Asking for fewer than the group still gives the best members, best first.
        Assert.Equal(expected.Take(3).Select(x => x.Id), index.Search(query, 3).Select(h => h.Id));
    }

    [Fact]
    public void Removed_filtered_and_replaced_members_leave_the_group_and_the_rest_are_still_found()
    {
        var (random, centre, copies) = Data();
        using var index = Build(Options, random, copies);
        index.Remove(100);    // the group's node: it stays as a bridge, its members are still returned
        index.Remove(103);
        index.Upsert(104, random[5]);

        var hits = index.Search(centre, 3);
        Assert.Equal(new long[] { 101, 102, 105 }, hits.Select(h => h.Id).Order());
        var filtered = index.Search(centre, 2, id => id is 102 or 105 or 7);
        Assert.Equal(new long[] { 102, 105 }, filtered.Select(h => h.Id).Order());
        var forcedGraph = new HnswIndex(Dim, Options with { FilteredExactMaxMatches = 0, FilterSelectivityThreshold = 0 });
        using (forcedGraph)
        {
            forcedGraph.UpsertMany(random.Length, i => i, i => random[i], threads: 1);
            forcedGraph.UpsertMany(copies.Length, i => 100 + i, i => copies[i], threads: 1);
            forcedGraph.Remove(100);
            Assert.Equal(new long[] { 101, 103 }, forcedGraph.Search(centre, 2, id => id is 101 or 103 || id < 40).Select(h => h.Id).Order());
        }

        Assert.Equal([5L, 104L], index.Search(random[5], 2).Select(h => h.Id).Order());
    }

    [Fact]
    public void An_int8_graph_finds_every_vector_with_its_exact_float_score()
    {
        var data = new ClusteredData(Dim, clusters: 5, seed: 29, spread: 0.6);
        var vectors = data.Take(150);
        using var index = new HnswIndex(Dim, Options with { Quantization = VectorQuantization.Int8, FloatVectorDirectory = _dir });
        using var exact = new ExactIndex(Dim);
        IndexFixtures.Fill(index, vectors, threads: 1);
        IndexFixtures.Fill(exact, vectors);

        Assert.Equal(150, index.State.Vectors.Quantizer!.CalibratedOn);
        Assert.True(index.CheckGraph().IsHealthy);
        for (int i = 0; i < vectors.Length; i++)
        {
            var hit = index.Search(vectors[i], 1)[0];
            Assert.Equal(i, hit.Id);
            Assert.Equal(Dot(vectors[i], vectors[i]), hit.Score, 6);
        }

        foreach (var q in data.Take(20))
        {
            Assert.Equal(exact.Search(q, 5), index.Search(q, 5));
            Assert.Equal(exact.Search(q, 5, id => id % 3 == 0), index.Search(q, 5, id => id % 3 == 0));
        }
    }

    [Fact]
    public void Over_int8_codes_identical_vectors_join_one_group_by_their_codes()
    {
        var (random, centre, _) = Data();
        var options = Options with { Quantization = VectorQuantization.Int8, FloatVectorDirectory = _dir };
        using var index = new HnswIndex(Dim, options);
        index.UpsertMany(random.Length, i => i, i => random[i], threads: 1);
        for (int i = 0; i < 4; i++)
        {
            index.Upsert(100 + i, centre);
        }

        Assert.Equal(3, index.CheckGraph().DuplicateGroupMembers);
        Assert.Equal(new long[] { 100, 101, 102, 103 }, index.Search(centre, 4).Select(h => h.Id).Order());
        // The group's members are re-scored with their float vectors: all four score 1.
        Assert.All(index.Search(centre, 4), h => Assert.Equal(1f, h.Score, 5));
    }

    [Fact]
    public void A_quantiser_refuses_mismatched_or_invalid_ranges_and_calibrates_on_nothing_to_null()
    {
        Assert.StartsWith("min and step must have the same, non-zero length",
            Assert.Throws<ArgumentException>(() => new ScalarQuantizer([0f], [1f, 2f], 1)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ScalarQuantizer([], [], 1));
        Assert.Equal("quantisation step -1 is not a finite, non-negative number",
            Assert.Throws<InvalidDataException>(() => new ScalarQuantizer([0f], [-1f], 1)).Message);
        Assert.Throws<InvalidDataException>(() => new ScalarQuantizer([0f], [float.NaN], 1));
        Assert.Throws<InvalidDataException>(() => new ScalarQuantizer([0f], [float.PositiveInfinity], 1));
        var q = new ScalarQuantizer([0f, 0f], [3f, 4f], 2);
        Assert.Equal((5f, 2, 3, 2), (q.StepNorm, q.Dimension, q.PreparedLength, q.CalibratedOn));

        Assert.Null(ScalarQuantizer.Calibrate(2, []));
        var fromStream = ScalarQuantizer.Calibrate(2, new[] { new[] { 1f, -1f }, new[] { 3f, 1f } })!;
        Assert.Equal((2, 1f, -1f), (fromStream.CalibratedOn, fromStream.Min[0], fromStream.Min[1]));
        Assert.Equal(2f / 255, fromStream.Step[0], 7);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ScalarQuantizer.Calibrate(2, 0, _ => new float[2])).ParamName);
        Assert.StartsWith("Vector has 3 dimensions, the index 2.", Assert.Throws<ArgumentException>(() => ScalarQuantizer.Calibrate(2, [new float[3]])).Message, StringComparison.Ordinal);
    }

    private static float Dot(float[] a, float[] b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    private static float[] Unit(Random rng) => Normalised(Enumerable.Range(0, Dim).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray());

    private static float[] Normalised(float[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => (float)(x / norm)).ToArray();
    }
}
