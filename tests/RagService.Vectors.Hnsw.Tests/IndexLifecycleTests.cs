namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// What every index shares (<see cref="NeighbourIndex"/>): storage that grows by chunks of 4,096 slots (bytes worked out
/// from the record layout), automatic compaction at its bounds, int8 calibration as an index grows, disposal, and the
/// options' messages. Mostly on <see cref="ExactIndex"/>, which has no graph, so thousands of slots stay cheap.
/// </summary>
public sealed class IndexLifecycleTests
{
    private const int Dim = 4;

    private static float[] Vector(int i)
    {
        var v = Enumerable.Range(0, Dim).Select(j => (float)Math.Sin((i * 0.37) + (j * 1.3) + 0.5)).ToArray();
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    [Fact]
    public void Storage_grows_by_chunks_of_4096_slots_of_vector_id_and_state()
    {
        using var exact = new ExactIndex(Dim);
        Assert.Equal(0, exact.StorageBytes);
        exact.Upsert(1, Vector(1));
        // One chunk: 4,096 records of 4 floats, 4,096 ids of 8 bytes, 4,096 state bytes.
        const long chunk = (4_096 * 4 * 4) + (4_096 * 8) + 4_096;
        Assert.Equal(chunk, exact.StorageBytes);
        exact.UpsertMany(4_095, i => 2 + i, i => Vector(2 + i), threads: 1);
        Assert.Equal((4_096, chunk), (exact.Count, exact.StorageBytes));
        exact.Upsert(5_000, Vector(5_000));
        Assert.Equal((4_097, 2 * chunk), (exact.Count, exact.StorageBytes));
        // Every vector is still where it was written, across the chunk boundary.
        foreach (int id in new[] { 1, 2, 4_095, 4_096, 5_000 })
        {
            Assert.True(exact.State.Vectors.TryGetSlot(id, out int slot));
            Assert.Equal(Vector(id), exact.State.Vectors.VectorSpan(slot).ToArray());
            Assert.Equal(1f, exact.Search(Vector(id), 1, new List<long> { id })[0].Score, 5);
        }

        // A graph's records start with its level-0 links (1 + 2·M ints) padded to 16 floats: 16 + 4 floats per slot.
        using var hnsw = new HnswIndex(Dim, new VectorIndexOptions { M = 2 });
        hnsw.Upsert(1, Vector(1));
        Assert.Equal((4_096 * 20 * 4) + (4_096 * 8) + 4_096, hnsw.StorageBytes);

        // An int8 graph keeps its 4 one-byte codes in one float after the header; the floats live in a file, not counted.
        using var int8 = new HnswIndex(Dim, new VectorIndexOptions { M = 2, Quantization = VectorQuantization.Int8, FloatVectorDirectory = Path.GetTempPath() });
        int8.Upsert(1, Vector(1));
        Assert.Equal((4_096 * 17 * 4) + (4_096 * 8) + 4_096, int8.StorageBytes);
    }

    [Fact]
    public async Task Compaction_starts_when_tombstones_exceed_the_ratio_of_at_least_1000_slots()
    {
        using var index = new ExactIndex(Dim, new VectorIndexOptions { AutoCompactDeletedRatio = 0.5 });
        index.UpsertMany(1_000, i => i, i => Vector(i), threads: 1);
        for (int id = 0; id < 500; id++)
        {
            index.Remove(id);
        }

        // 500 of 1,000 slots: not above half.
        Assert.Equal((500, 500), (index.Count, index.DeletedCount));
        index.Remove(500);
        await index.BackgroundCompaction;
        Assert.Equal((499, 0), (index.Count, index.DeletedCount));
        Assert.Equal(501, index.Search(Vector(501), 1)[0].Id);
    }

    [Fact]
    public async Task Fewer_than_1000_slots_or_a_ratio_of_0_never_compact_automatically()
    {
        using var small = new ExactIndex(Dim, new VectorIndexOptions { AutoCompactDeletedRatio = 0.1 });
        small.UpsertMany(999, i => i, i => Vector(i), threads: 1);
        for (int id = 0; id < 900; id++)
        {
            small.Remove(id);
        }

        await small.BackgroundCompaction;
        Assert.Equal((99, 900), (small.Count, small.DeletedCount));
        // The 1,000th slot (an update is a new slot) makes it eligible.
        small.Upsert(950, Vector(7));
        await small.BackgroundCompaction;
        Assert.Equal((99, 0), (small.Count, small.DeletedCount));

        using var off = new ExactIndex(Dim, new VectorIndexOptions { AutoCompactDeletedRatio = 0 });
        off.UpsertMany(1_200, i => i, i => Vector(i), threads: 1);
        for (int id = 0; id < 1_199; id++)
        {
            off.Remove(id);
        }

        await off.BackgroundCompaction;
        Assert.Equal((1, 1_199), (off.Count, off.DeletedCount));
    }

    [Fact]
    public async Task An_int8_index_calibrates_on_its_first_vector_and_again_whenever_its_slots_double()
    {
        string dir = Directory.CreateTempSubdirectory("hnsw-cal-").FullName;
        try
        {
            var options = new VectorIndexOptions { Quantization = VectorQuantization.Int8, FloatVectorDirectory = dir, ExactSearchThreshold = 0, M = 2 };
            using var index = new HnswIndex(Dim, options);
            Assert.Equal(VectorQuantization.Int8, index.Quantization);
            Assert.Null(index.State.Vectors.Quantizer);
            var calibratedOn = new List<int>();
            for (int i = 0; i < 9; i++)
            {
                index.Upsert(i, Vector(i));
                await index.BackgroundCompaction;
                calibratedOn.Add(index.State.Vectors.Quantizer!.CalibratedOn);
            }

            // The first vector calibrates; 2, 4 and 8 slots (twice the count calibrated on) recalibrate by compaction.
            Assert.Equal([1, 2, 2, 4, 4, 4, 4, 8, 8], calibratedOn);
            var quantizer = index.State.Vectors.Quantizer!;
            for (int d = 0; d < Dim; d++)
            {
                Assert.Equal(Enumerable.Range(0, 8).Min(i => Vector(i)[d]), quantizer.Min[d]);
            }

            for (int i = 0; i < 9; i++)
            {
                Assert.Equal(i, index.Search(Vector(i), 1)[0].Id);
            }

            // A bulk load calibrates on its whole batch; a second one keeps that calibration.
            using var bulk = new HnswIndex(Dim, options);
            bulk.UpsertMany(6, i => i, i => Vector(i), threads: 1);
            Assert.Equal(6, bulk.State.Vectors.Quantizer!.CalibratedOn);
            bulk.UpsertMany(2, i => 10 + i, i => Vector(10 + i), threads: 1);
            Assert.Equal(6, bulk.State.Vectors.Quantizer!.CalibratedOn);
            bulk.UpsertMany(0, i => i, i => Vector(i), threads: 1);
            Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => bulk.UpsertMany(-1, i => i, i => Vector(i))).ParamName);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_disposed_index_refuses_every_call_and_disposing_twice_is_harmless()
    {
        var index = new HnswIndex(Dim);
        index.Upsert(1, Vector(1));
        index.Dispose();
        index.Dispose();

        Assert.Throws<ObjectDisposedException>(() => index.Upsert(2, Vector(2)));
        Assert.Throws<ObjectDisposedException>(() => index.Remove(1));
        Assert.Throws<ObjectDisposedException>(() => index.Search(Vector(1), 1));
        Assert.Throws<ObjectDisposedException>(() => index.Search(Vector(1), 1, new List<long> { 1 }));
        Assert.Throws<ObjectDisposedException>(index.Compact);
        Assert.Throws<ObjectDisposedException>(() => index.SaveSnapshot(Path.Combine(Path.GetTempPath(), "never.snap"), 1));
    }

    [Fact]
    public void Removing_and_replacing_updates_the_counts_and_the_answers()
    {
        using var index = new ExactIndex(Dim);
        index.Upsert(1, Vector(1));
        index.Upsert(2, Vector(2));
        index.Upsert(1, Vector(3));   // replaced: the old slot becomes a tombstone
        Assert.Equal((2, 1), (index.Count, index.DeletedCount));
        Assert.Equal([1L, 2L], index.Search(Vector(3), 2).Select(h => h.Id));
        Assert.Equal(1f, index.Search(Vector(3), 1)[0].Score, 5);
        Assert.True(index.Remove(2));
        Assert.False(index.Remove(2));
        Assert.Equal((1, 2), (index.Count, index.DeletedCount));
        index.Compact();
        Assert.Equal((1, 0), (index.Count, index.DeletedCount));
        Assert.Equal(1, Assert.Single(index.Search(Vector(2), 5)).Id);
    }

    [Theory]
    [InlineData("M", "M must be within 2..256.")]
    [InlineData("EfSearchPerResult", "EfSearchPerResult must be within 1..100.")]
    [InlineData("Quantization", "Quantization must be None or Int8.")]
    [InlineData("RescoreFactor", "RescoreFactor must be within 1..100.")]
    public void An_option_out_of_range_is_refused_with_its_rule(string option, string rule)
    {
        var options = option switch
        {
            "M" => new VectorIndexOptions { M = 300 },
            "EfSearchPerResult" => new VectorIndexOptions { EfSearchPerResult = 0 },
            "Quantization" => new VectorIndexOptions { Quantization = (VectorQuantization)7 },
            _ => new VectorIndexOptions { RescoreFactor = 500 },
        };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ExactIndex(Dim, options));

        Assert.Equal(option, e.ParamName);
        Assert.StartsWith(rule, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_options_are_the_documented_ones()
    {
        var o = new VectorIndexOptions();
        Assert.Equal((16, 200, 100, 2, 5_000, 20_000, 0.02, 42, 0.3, 0, false, VectorQuantization.None, 4, (string?)null),
            (o.M, o.EfConstruction, o.EfSearch, o.EfSearchPerResult, o.ExactSearchThreshold, o.FilteredExactMaxMatches, o.FilterSelectivityThreshold,
                o.Seed, o.AutoCompactDeletedRatio, o.BuildThreads, o.DeterministicBuild, o.Quantization, o.RescoreFactor, o.FloatVectorDirectory));
        using var index = new HnswIndex(Dim);
        Assert.Equal(o, index.Options);
        Assert.Equal(VectorQuantization.None, index.Quantization);
    }
}
