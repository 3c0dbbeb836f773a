using System.Buffers.Binary;
using System.IO.Hashing;
using RagService.Vectors.Hnsw.Snapshots;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Snapshots of a 10-vector graph (dimension 4, M = 2) edited field by field with both checksums recomputed, so that
/// only the loader's own checks can turn them away: each edit must be refused as corrupt or incompatible with the reason
/// in words, never load into an index that a search could crash on. The byte offsets follow the layout documented on
/// <c>SnapshotFile</c>; the header is 64 bytes.
/// </summary>
public sealed unsafe class SnapshotValidationTests : IDisposable
{
    private const int Dim = 4, Slots = 10, M = 2;
    private const int Payload = 64;
    private const int Ids = Payload + 24, States = Ids + 8 * Slots, Vectors = States + Slots, Level0 = Vectors + 4 * Dim * Slots;
    private const int Level0Ints = 1 + 2 * M, Levels = Level0 + 4 * Level0Ints * Slots, Upper = Levels + Slots;

    private static readonly VectorIndexOptions Options = new() { M = M, EfConstruction = 20, EfSearch = 7, Seed = 5, ExactSearchThreshold = 0, DeterministicBuild = true };
    private readonly string _dir = Directory.CreateTempSubdirectory("vecidx-valid-").FullName;
    private readonly float[][] _vectors = Enumerable.Range(0, Slots).Select(i => Unit(i)).ToArray();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Path(string name) => System.IO.Path.Combine(_dir, name);

    private byte[] Saved(out HnswIndex index, string name = "ok.snap")
    {
        index = new HnswIndex(Dim, Options);
        for (int i = 0; i < Slots; i++)
        {
            index.Upsert(100 + i, _vectors[i]);
        }

        index.SaveSnapshot(Path(name), sourceVersion: 5);
        return File.ReadAllBytes(Path(name));
    }

    /// <summary>Writes the edited bytes with the payload and header checksums (and payload length) recomputed; loads them.</summary>
    private SnapshotLoadResult LoadEdited(byte[] bytes, long version = 5, int dimension = Dim, SnapshotKind kind = SnapshotKind.Hnsw, VectorIndexOptions? options = null)
    {
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(40), bytes.Length - Payload);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(48), XxHash3.HashToUInt64(bytes.AsSpan(Payload)));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(56), XxHash3.HashToUInt64(bytes.AsSpan(0, 56)));
        File.WriteAllBytes(Path("edited.snap"), bytes);
        return VectorIndexSnapshot.TryLoad(Path("edited.snap"), version, dimension, kind, options ?? Options);
    }

    [Fact]
    public void An_unedited_snapshot_loads_with_its_build_settings_and_the_callers_ef()
    {
        var bytes = Saved(out var index);
        using var _ = index;

        var loaded = LoadEdited(bytes, options: new VectorIndexOptions { M = M, EfSearch = 3 });

        Assert.Equal((SnapshotStatus.Loaded, "10 vectors", 5L), (loaded.Status, loaded.Detail, loaded.SnapshotSourceVersion));
        using var copy = loaded.Index!;
        Assert.Equal((20, 5, 3, M), (copy.Options.EfConstruction, copy.Options.Seed, copy.Options.EfSearch, copy.Options.M));
        Assert.IsType<HnswIndex>(copy);
        Assert.Equal((10, 0, Dim), (copy.Count, copy.DeletedCount, copy.Dimension));
        Assert.True(((HnswIndex)copy).CheckGraph().IsHealthy);
        for (int i = 0; i < Slots; i++)
        {
            Assert.Equal(index.Search(_vectors[i], 3), copy.Search(_vectors[i], 3));
            Assert.Equal(100 + i, copy.Search(_vectors[i], 1)[0].Id);
        }
    }

    [Fact]
    public void The_header_fields_and_verdicts_are_reported_in_words()
    {
        var bytes = Saved(out var index);
        using var _ = index;
        Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal((int)SnapshotKind.Hnsw, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal((Dim, Slots, Slots, M), (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20)),
            BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(24)), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(28))));
        Assert.Equal(5L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(32)));

        Assert.Equal((SnapshotStatus.Stale, "snapshot at source version 5, store at 6", 5L), Verdict(LoadEdited((byte[])bytes.Clone(), version: 6)));
        Assert.Equal((SnapshotStatus.Incompatible, "snapshot is Hnsw d=4 M=2, wanted Hnsw d=8 M=2", 5L), Verdict(LoadEdited((byte[])bytes.Clone(), dimension: 8)));
        Assert.Equal((SnapshotStatus.Incompatible, "snapshot is Hnsw d=4 M=2, wanted Exact d=4 M=2", 5L), Verdict(LoadEdited((byte[])bytes.Clone(), kind: SnapshotKind.Exact)));
        Assert.Equal((SnapshotStatus.Incompatible, "snapshot is Hnsw d=4 M=2, wanted Hnsw d=4 M=3", 5L),
            Verdict(LoadEdited((byte[])bytes.Clone(), options: Options with { M = 3 })));
        var missing = VectorIndexSnapshot.TryLoad(Path("none"), 5, Dim);
        Assert.Equal((SnapshotStatus.Missing, $"no snapshot at {Path("none")}", (long?)null), (missing.Status, missing.Detail, missing.SnapshotSourceVersion));
    }

    public static TheoryData<string, string> DamagedHeaders => new()
    {
        { "magic", "bad magic number" },
        { "short", "file shorter than the header" },
        { "kind", "unknown index kind 3" },
        { "dimension", "header fields out of range" },
        { "slots", "header fields out of range" },
        { "live", "header fields out of range" },
        { "negative live", "header fields out of range" },
        { "payload length", "header fields out of range" },
        { "length", "file is 1000 bytes, header says " },
        { "header checksum", "header checksum mismatch" },
        { "payload checksum", "payload checksum mismatch" },
    };

    [Theory]
    [MemberData(nameof(DamagedHeaders))]
    public void A_damaged_header_is_corrupt_with_its_reason(string damage, string reason)
    {
        var bytes = Saved(out var index);
        index.Dispose();
        int realLength = bytes.Length;
        bool recompute = true;
        switch (damage)
        {
            case "magic": bytes[0] ^= 1; break;
            case "short": bytes = bytes[..63]; recompute = false; break;
            case "kind": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(12), 3); break;
            case "dimension": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(16), 0); break;
            case "slots": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24), -1); break;
            case "live": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), Slots + 1); break;
            case "negative live": BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), -1); break;
            case "payload length":
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(40), -1);
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(56), XxHash3.HashToUInt64(bytes.AsSpan(0, 56)));
                recompute = false;
                break;
            case "length": Array.Resize(ref bytes, 1000); recompute = false; break;
            case "header checksum": bytes[56] ^= 1; recompute = false; break;
            case "payload checksum": bytes[Vectors] ^= 1; recompute = false; break;
        }

        SnapshotLoadResult loaded;
        if (recompute && damage != "magic")
        {
            loaded = LoadEdited(bytes);
        }
        else
        {
            if (damage == "magic")
            {
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(56), XxHash3.HashToUInt64(bytes.AsSpan(0, 56)));
            }

            File.WriteAllBytes(Path("edited.snap"), bytes);
            loaded = VectorIndexSnapshot.TryLoad(Path("edited.snap"), 5, Dim, SnapshotKind.Hnsw, Options);
        }

        Assert.Equal(SnapshotStatus.Corrupt, loaded.Status);
        Assert.Null(loaded.Index);
        if (damage == "length")
        {
            Assert.Equal($"file is 1000 bytes, header says {realLength}", loaded.Detail);
        }
        else
        {
            Assert.Equal(reason, loaded.Detail);
        }
    }

    [Fact]
    public void A_newer_format_version_is_incompatible_and_names_the_versions_this_build_reads()
    {
        var bytes = Saved(out var index);
        index.Dispose();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 5);

        var loaded = LoadEdited(bytes);

        Assert.Equal((SnapshotStatus.Incompatible, "snapshot format version 5, this build reads 3..4", 5L), Verdict(loaded));
    }

    public static TheoryData<string, string> DamagedPayloads => new()
    {
        { "quantisation", "unknown vector quantisation 2" },
        { "state", "Slot 3 has state 3." },
        { "id twice", "Id 100 is live in two slots." },
        { "live count", "live count differs from the header" },
        { "entry beyond", "entry node out of range" },
        { "no entry", "entry node out of range" },
        { "link count", "link count out of range" },
        { "negative link count", "link count out of range" },
        { "link target", "link to a node out of range" },
        { "upper link count", "link count out of range" },
        { "upper link target", "link to a node out of range" },
        { "fewer levels", "payload length differs from the header" },
        { "group beyond", "duplicate group link out of range or shared" },
        { "group self", "duplicate group link out of range or shared" },
        { "group shared", "duplicate group link out of range or shared" },
        { "group node", "duplicate group member 1 is a graph node" },
        { "group entry", "is a graph node" },
        { "group cycle", "duplicate group chain forms a cycle" },
    };

    [Theory]
    [MemberData(nameof(DamagedPayloads))]
    public void A_damaged_payload_is_corrupt_with_its_reason(string damage, string reason)
    {
        var bytes = Saved(out var index);
        var graph = index.Graph;
        int entry = graph.EntryNode;
        int upperNode = Enumerable.Range(0, Slots).First(n => graph.LevelOf(n) > 0);
        int upperOffset = Upper + 4 * Enumerable.Range(0, upperNode).Sum(n => graph.LevelOf(n) * (M + 1));
        var ground = Enumerable.Range(0, Slots).Where(n => graph.LevelOf(n) == 0 && n != entry).ToArray();
        index.Dispose();
        int nextDuplicate = bytes.Length - 4 * Slots;
        void Int(int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), value);
        void Unlinked(int slot) => Int(Level0 + 4 * Level0Ints * slot, 0);
        switch (damage)
        {
            case "quantisation": Int(Payload + 20, 2); break;
            case "state": bytes[States + 3] = 3; break;
            case "id twice": BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(Ids + 8), 100); break;
            case "live count": bytes[States + 3] = 2; break;
            case "entry beyond": Int(Payload + 12, Slots); break;
            case "no entry": Int(Payload + 12, -1); break;
            case "link count": Int(Level0, 2 * M + 1); break;
            case "negative link count": Int(Level0, -1); break;
            case "link target": Int(Level0, 1); Int(Level0 + 4, Slots); break;
            case "upper link count": Int(upperOffset, M + 1); break;
            case "upper link target": Int(upperOffset, 1); Int(upperOffset + 4, Slots); break;
            case "fewer levels": bytes[Levels + upperNode] = 0; break;
            case "group beyond": Int(nextDuplicate, Slots); break;
            case "group self": Int(nextDuplicate + 8, 2); break;
            case "group shared": Int(nextDuplicate + 4 * ground[0], ground[2]); Int(nextDuplicate + 4 * ground[1], ground[2]); break;
            case "group node": Int(nextDuplicate, 1); Unlinked(0); break;
            case "group entry": Int(nextDuplicate + 4 * ground[0], entry); break;
            case "group cycle":
                Int(nextDuplicate + 4 * ground[0], ground[1]);
                Int(nextDuplicate + 4 * ground[1], ground[0]);
                Unlinked(ground[0]);
                Unlinked(ground[1]);
                break;
        }

        if (damage == "live count")
        {
            // One slot turned into a tombstone: the payload is consistent, but the header still counts it as live.
            var loadedWithTombstone = LoadEdited(bytes);
            Assert.Equal((SnapshotStatus.Corrupt, reason), (loadedWithTombstone.Status, loadedWithTombstone.Detail));
            return;
        }

        if (damage == "group node" && ground.Contains(1))
        {
            Int(nextDuplicate, ground[0]);
            reason = $"duplicate group member {ground[0]} is a graph node";
        }

        var loaded = LoadEdited(bytes);

        Assert.Equal(SnapshotStatus.Corrupt, loaded.Status);
        Assert.Null(loaded.Index);
        Assert.Contains(reason, loaded.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exact_index_snapshot_has_no_graph_and_refuses_a_quantisation()
    {
        using var exact = new ExactIndex(Dim);
        for (int i = 0; i < Slots; i++)
        {
            exact.Upsert(100 + i, _vectors[i]);
        }

        exact.Remove(104);
        exact.SaveSnapshot(Path("exact.snap"), 2);
        var bytes = File.ReadAllBytes(Path("exact.snap"));
        Assert.Equal((int)SnapshotKind.Exact, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(12)));
        Assert.Equal((9, 0), (BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(20)), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(28))));
        Assert.Equal(Vectors + 4 * Dim * Slots, bytes.Length);   // ids, states, vectors: nothing after them

        var loaded = VectorIndexSnapshot.TryLoad(Path("exact.snap"), 2, Dim, SnapshotKind.Exact, new VectorIndexOptions { M = 40 });
        Assert.Equal((SnapshotStatus.Loaded, "9 vectors"), (loaded.Status, loaded.Detail));
        using (var copy = loaded.Index!)
        {
            Assert.IsType<ExactIndex>(copy);
            Assert.Equal((9, 1), (copy.Count, copy.DeletedCount));
            Assert.Equal(exact.Search(_vectors[4], 9), copy.Search(_vectors[4], 9));
        }

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Payload + 20), 1);
        var int8 = LoadEdited(bytes, version: 2, kind: SnapshotKind.Exact);
        Assert.Equal((SnapshotStatus.Corrupt, "unknown vector quantisation 1"), (int8.Status, int8.Detail));
    }

    [Fact]
    public void An_empty_int8_snapshot_has_no_calibration_and_calibrates_on_its_first_vector_after_loading()
    {
        var options = Options with { Quantization = VectorQuantization.Int8, FloatVectorDirectory = _dir };
        using (var empty = new HnswIndex(Dim, options))
        {
            empty.SaveSnapshot(Path("int8.snap"), 1);
        }

        var bytes = File.ReadAllBytes(Path("int8.snap"));
        // Six payload ints, then the calibration: vectors calibrated on (0), min and step (4 floats each).
        Assert.Equal(Payload + 24 + 4 + 2 * 4 * Dim + 4 * 0, bytes.Length);
        var loaded = VectorIndexSnapshot.TryLoad(Path("int8.snap"), 1, Dim, SnapshotKind.Hnsw, options);
        Assert.Equal(SnapshotStatus.Loaded, loaded.Status);
        using (var copy = loaded.Index!)
        {
            Assert.Null(copy.State.Vectors.Quantizer);
            copy.Upsert(7, _vectors[3]);
            Assert.Equal(1, copy.State.Vectors.Quantizer!.CalibratedOn);
            Assert.Equal(7, copy.Search(_vectors[3], 1)[0].Id);
        }

        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Payload + 24), -1);
        var negative = LoadEdited(bytes, version: 1, options: options);
        Assert.Equal((SnapshotStatus.Corrupt, "negative calibration count"), (negative.Status, negative.Detail));
    }

    [Fact]
    public void An_int8_snapshot_keeps_its_calibration_codes_and_float_vectors()
    {
        var options = Options with { Quantization = VectorQuantization.Int8, FloatVectorDirectory = _dir };
        using var index = new HnswIndex(Dim, options);
        index.UpsertMany(Slots, i => 100 + i, i => _vectors[i], threads: 1);
        index.SaveSnapshot(Path("int8.snap"), 1);

        var loaded = VectorIndexSnapshot.TryLoad(Path("int8.snap"), 1, Dim, SnapshotKind.Hnsw, options);

        Assert.Equal(SnapshotStatus.Loaded, loaded.Status);
        using var copy = loaded.Index!;
        var quantizer = copy.State.Vectors.Quantizer!;
        Assert.Equal(Slots, quantizer.CalibratedOn);
        for (int d = 0; d < Dim; d++)
        {
            Assert.Equal(_vectors.Min(v => v[d]), quantizer.Min[d]);
            Assert.Equal((_vectors.Max(v => v[d]) - _vectors.Min(v => v[d])) / 255f, quantizer.Step[d], 6);
        }

        for (int i = 0; i < Slots; i++)
        {
            Assert.Equal(_vectors[i], copy.State.Vectors.VectorSpan(i).ToArray());
            Assert.Equal(new ReadOnlySpan<byte>(index.State.Vectors.Codes(i), Dim).ToArray(), new ReadOnlySpan<byte>(copy.State.Vectors.Codes(i), Dim).ToArray());
            var hit = copy.Search(_vectors[i], 1)[0];
            Assert.Equal((100L + i, 1f), (hit.Id, MathF.Round(hit.Score, 5)));
        }
    }

    [Fact]
    public void A_snapshot_of_other_vector_storage_is_incompatible_and_names_both_settings()
    {
        var bytes = Saved(out var index);
        index.Dispose();
        var int8Options = Options with { Quantization = VectorQuantization.Int8, FloatVectorDirectory = _dir };

        var float32 = VectorIndexSnapshot.TryLoad(Path("ok.snap"), 5, Dim, SnapshotKind.Hnsw, int8Options);
        Assert.Equal((SnapshotStatus.Incompatible, "snapshot vectors are none (float32), Rag:Vectors:Quantization is int8"), (float32.Status, float32.Detail));

        using (var int8 = new HnswIndex(Dim, int8Options))
        {
            int8.UpsertMany(Slots, i => 100 + i, i => _vectors[i], threads: 1);
            int8.SaveSnapshot(Path("int8.snap"), 6);
        }

        var int8Snapshot = VectorIndexSnapshot.TryLoad(Path("int8.snap"), 6, Dim, SnapshotKind.Hnsw, Options);
        Assert.Equal((SnapshotStatus.Incompatible, "snapshot vectors are int8, Rag:Vectors:Quantization is none (float32)"), (int8Snapshot.Status, int8Snapshot.Detail));
    }

    [Fact]
    public void A_one_dimensional_index_round_trips_through_its_snapshot()
    {
        using (var line = new HnswIndex(1, Options))
        {
            line.UpsertMany(5, i => i, i => new[] { i - 2f }, threads: 1);
            line.SaveSnapshot(Path("line.snap"), 3);
        }

        var loaded = VectorIndexSnapshot.TryLoad(Path("line.snap"), 3, 1, SnapshotKind.Hnsw, Options);

        Assert.Equal((SnapshotStatus.Loaded, "5 vectors", 3L), Verdict(loaded));
        using var copy = loaded.Index!;
        // On a line the inner product with +1 ranks by the value itself: 2, 1, 0, -1, -2 (ids 4..0).
        Assert.Equal([4L, 3L], copy.Search([1f], 2).Select(h => h.Id));
    }

    [Fact]
    public void Stored_build_settings_out_of_range_are_corrupt_and_named()
    {
        var bytes = Saved(out var index);
        index.Dispose();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Payload), 0);

        var loaded = LoadEdited(bytes);

        Assert.Equal(SnapshotStatus.Corrupt, loaded.Status);
        Assert.Contains("'EfConstruction'", loaded.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_oldest_readable_format_version_still_has_its_header_checksum_checked()
    {
        var bytes = Saved(out var index);
        index.Dispose();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), 3);
        LoadEdited(bytes);
        var edited = File.ReadAllBytes(Path("edited.snap"));
        edited[56] ^= 0xFF;
        File.WriteAllBytes(Path("edited.snap"), edited);

        var loaded = VectorIndexSnapshot.TryLoad(Path("edited.snap"), 5, Dim, SnapshotKind.Hnsw, Options);

        Assert.Equal((SnapshotStatus.Corrupt, "header checksum mismatch"), (loaded.Status, loaded.Detail));
    }

    private static (SnapshotStatus, string, long?) Verdict(SnapshotLoadResult r) => (r.Status, r.Detail, r.SnapshotSourceVersion);

    /// <summary>Ten distinct unit vectors from a formula.</summary>
    private static float[] Unit(int i)
    {
        var v = Enumerable.Range(0, Dim).Select(j => (float)Math.Sin((i * 5) + (j * 2) + 1)).ToArray();
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
