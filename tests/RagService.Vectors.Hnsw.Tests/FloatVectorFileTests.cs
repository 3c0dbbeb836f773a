using RagService.Vectors.Hnsw.Internal.Quantization;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// The file that holds a quantised index's float32 vectors (<see cref="FloatVectorFile"/>): created unlinked in the
/// configured folder (made if missing), grown by mappings of 4,096 slots that read back what was written on both sides
/// of a chunk boundary, and copied to and from a snapshot in pieces of at most 1 MiB (1,000-float vectors: 262 a
/// piece), failing with a clear error where the file is shorter than the slots asked for.
/// </summary>
public sealed unsafe class FloatVectorFileTests : IDisposable
{
    private const int PieceBytes = 1 << 20;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "rag-fvf-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static float[] Vector(int slot, int dim) =>
        Enumerable.Range(0, dim).Select(j => (slot * 10f) + j).ToArray();

    private static float[] Read(FloatVectorFile file, int slot, int dim) => new ReadOnlySpan<float>(file[slot], dim).ToArray();

    [Fact]
    public void The_file_is_made_in_the_configured_folder_which_is_created_and_left_empty()
    {
        string folder = Path.Combine(_folder, "floats");
        var file = new FloatVectorFile(2, folder);
        Assert.True(Directory.Exists(folder));
        // Unlinked at once: nothing stays behind in the folder even while the file is in use.
        Assert.Empty(Directory.GetFileSystemEntries(folder));
        file.EnsureCapacity(1);
        file.Write(0, [1f, 2f]);
        Assert.Equal([1f, 2f], Read(file, 0, 2));
        GC.KeepAlive(file);
    }

    [Fact]
    public void Capacity_grows_by_whole_chunks_of_4096_slots_and_reads_across_the_boundary()
    {
        const int dim = 2;
        var file = new FloatVectorFile(dim, _folder);
        Assert.Equal(0, file.Capacity);
        file.EnsureCapacity(4_095);
        Assert.Equal(4_096, file.Capacity);
        file.EnsureCapacity(4_096);
        Assert.Equal(4_096, file.Capacity);
        foreach (int slot in new[] { 0, 1, 4_095 })
        {
            file.Write(slot, Vector(slot, dim));
        }

        file.EnsureCapacity(4_097);
        Assert.Equal(8_192, file.Capacity);
        file.EnsureCapacity(9_000);
        Assert.Equal(12_288, file.Capacity);
        foreach (int slot in new[] { 4_096, 4_097, 8_191, 8_192, 8_999 })
        {
            file.Write(slot, Vector(slot, dim));
        }

        // The later chunks first: a chunk mapped at the wrong offset shows another slot's vector there.
        foreach (int slot in new[] { 8_999, 8_192, 8_191, 4_097, 4_096, 4_095, 1, 0 })
        {
            Assert.Equal(Vector(slot, dim), Read(file, slot, dim));
        }

        GC.KeepAlive(file);
    }

    [Theory]
    [InlineData(524, new[] { 262, 262 })]
    [InlineData(600, new[] { 262, 262, 76 })]
    [InlineData(1, new[] { 1 })]
    public void CopyTo_reads_the_slots_in_pieces_of_at_most_1_MiB(int slots, int[] piece)
    {
        const int dim = 1_000;
        var file = new FloatVectorFile(dim, _folder);
        file.EnsureCapacity(slots);
        for (int slot = 0; slot < slots; slot++)
        {
            file.Write(slot, Vector(slot, dim));
        }

        var pieces = new List<int>();
        var copied = new List<float>();
        file.CopyTo(slots, span =>
        {
            Assert.True(span.Length * sizeof(float) <= PieceBytes);
            pieces.Add(span.Length / dim);
            copied.AddRange(span.ToArray());
        });
        Assert.Equal(piece, pieces);
        Assert.Equal(Enumerable.Range(0, slots).SelectMany(s => Vector(s, dim)), copied);
        GC.KeepAlive(file);
    }

    [Theory]
    [InlineData(524, new[] { 262, 262 })]
    [InlineData(600, new[] { 262, 262, 76 })]
    public void FillFrom_grows_the_file_and_fills_it_in_pieces_of_at_most_1_MiB(int slots, int[] piece)
    {
        const int dim = 1_000;
        var file = new FloatVectorFile(dim, _folder);
        var pieces = new List<int>();
        int next = 0;
        file.FillFrom(slots, span =>
        {
            Assert.True(span.Length * sizeof(float) <= PieceBytes);
            pieces.Add(span.Length / dim);
            for (int i = 0; i < span.Length / dim; i++, next++)
            {
                Vector(next, dim).CopyTo(span.Slice(i * dim, dim));
            }
        });
        Assert.Equal(piece, pieces);
        Assert.Equal(4_096, file.Capacity);
        foreach (int slot in new[] { slots - 1, 262, 261, 0 })
        {
            Assert.Equal(Vector(slot, dim), Read(file, slot, dim));
        }

        GC.KeepAlive(file);
    }

    [Fact]
    public void CopyTo_past_the_written_end_fails_with_end_of_stream()
    {
        const int dim = 2;
        var file = new FloatVectorFile(dim, _folder);
        for (int slot = 0; slot < 10; slot++)
        {
            file.Write(slot, Vector(slot, dim));
        }

        var error = Assert.Throws<EndOfStreamException>(() => file.CopyTo(20, _ => { }));
        Assert.Equal("the vector file is shorter than its slots", error.Message);
        GC.KeepAlive(file);
    }
}
