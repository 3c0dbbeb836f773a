using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Vectors.Hnsw.Snapshots;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Snapshot checksums are XXH3 (64 bits, seed 0) as System.IO.Hashing computes it over the file's bytes, and a
/// snapshot of format version 2 (the service's own checksum, Fixtures/v2-checksum64.snap, written by that build) is rebuilt.
/// </summary>
public sealed class SnapshotChecksumTests : IDisposable
{
    private const int Dim = 8;
    private readonly string _dir = Directory.CreateTempSubdirectory("vecidx-sum-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The 40 vectors the fixture's index holds (ids 0..39), from a formula so they can be given again.</summary>
    private static float[][] FixtureVectors() =>
        Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, Dim).Select(j => (float)Math.Sin((i * 7) + (j * 3) + 1)).ToArray()).ToArray();

    [Fact]
    public void Header_and_payload_checksums_are_xxh3_of_their_bytes()
    {
        string path = Path.Combine(_dir, "index.snap");
        using (var index = new HnswIndex(Dim, IndexFixtures.GraphOnly()))
        {
            IndexFixtures.Fill(index, FixtureVectors(), threads: 1);
            index.SaveSnapshot(path, sourceVersion: 3);
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(XxHash3.HashToUInt64(bytes.AsSpan(64)), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(48)));
        Assert.Equal(XxHash3.HashToUInt64(bytes.AsSpan(0, 56)), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(56)));
        Assert.Equal(SnapshotStatus.Loaded, VectorIndexSnapshot.TryLoad(path, 3, Dim, SnapshotKind.Hnsw, IndexFixtures.GraphOnly()).Status);
    }

    [Fact]
    public void A_version_3_snapshot_without_the_quantisation_field_still_loads_as_float_vectors()
    {
        string path = Path.Combine(_dir, "v4.snap");
        var vectors = FixtureVectors();
        using var index = new HnswIndex(Dim, IndexFixtures.GraphOnly());
        IndexFixtures.Fill(index, vectors, threads: 1);
        index.SaveSnapshot(path, sourceVersion: 3);

        // Version 3 is version 4 without the int32 quantisation after the five leading payload ints (byte 64 + 20).
        var v4 = File.ReadAllBytes(path);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(v4.AsSpan(84)));
        var v3 = v4[..84].Concat(v4[88..]).ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(v3.AsSpan(8), 3);
        BinaryPrimitives.WriteInt64LittleEndian(v3.AsSpan(40), v3.Length - 64);
        BinaryPrimitives.WriteUInt64LittleEndian(v3.AsSpan(48), XxHash3.HashToUInt64(v3.AsSpan(64)));
        BinaryPrimitives.WriteUInt64LittleEndian(v3.AsSpan(56), XxHash3.HashToUInt64(v3.AsSpan(0, 56)));
        string old = Path.Combine(_dir, "v3.snap");
        File.WriteAllBytes(old, v3);

        var loaded = VectorIndexSnapshot.TryLoad(old, 3, Dim, SnapshotKind.Hnsw, IndexFixtures.GraphOnly());

        Assert.Equal(SnapshotStatus.Loaded, loaded.Status);
        using var copy = loaded.Index!;
        Assert.Equal(VectorQuantization.None, copy.Quantization);
        foreach (var q in vectors)
        {
            Assert.Equal(index.Search(q, 5), copy.Search(q, 5));
        }

        var asInt8 = VectorIndexSnapshot.TryLoad(old, 3, Dim, SnapshotKind.Hnsw, IndexFixtures.GraphOnly() with { Quantization = VectorQuantization.Int8 });
        Assert.Equal(SnapshotStatus.Incompatible, asInt8.Status);
    }

    [Fact]
    public void A_version_2_snapshot_with_the_old_checksum_is_rebuilt_and_saved_in_the_current_format()
    {
        string path = Path.Combine(_dir, "v2.snap");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "v2-checksum64.snap"), path);
        var vectors = FixtureVectors();

        var loaded = VectorIndexSnapshot.TryLoad(path, 3, Dim, SnapshotKind.Hnsw, IndexFixtures.GraphOnly());
        var rebuilt = VectorIndexSnapshot.LoadOrRebuild(path, 3, Dim, () => vectors.Select((v, i) => ((long)i, v)), NullLogger.Instance, IndexFixtures.GraphOnly());

        Assert.Equal(SnapshotStatus.Incompatible, loaded.Status);
        Assert.Contains("format version 2, this build reads 3..4", loaded.Detail, StringComparison.Ordinal);
        using var index = rebuilt.Index;
        Assert.True(rebuilt.Rebuilt);
        // The index scores by inner product: the best hit is the vector with the largest dot product, found by brute force.
        var best = Enumerable.Range(0, vectors.Length).MaxBy(i => vectors[17].Zip(vectors[i], (a, b) => a * b).Sum());
        Assert.Equal(best, index.Search(vectors[17], 1)[0].Id);
        var reloaded = VectorIndexSnapshot.TryLoad(path, 3, Dim, SnapshotKind.Hnsw, IndexFixtures.GraphOnly());
        Assert.Equal(SnapshotStatus.Loaded, reloaded.Status);
        reloaded.Index!.Dispose();
    }
}
