using System.Diagnostics.CodeAnalysis;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace RagService.Vectors.Hnsw.Internal.Quantization;

/// <summary>
/// The float32 vectors of a quantised index, kept in an unlinked temporary file and read through a memory mapping, so
/// they are neither on the managed heap nor in anonymous memory: the kernel pages in only what re-scoring and exact
/// scans read, and may drop those pages again. Writes go through the file (pwrite), not the mapping, so building
/// does not map every vector into the process. Grows by chunks of <see cref="PinnedChunkedBuffer{T}.ChunkSlots"/>
/// slots, each mapped on its own; a mapping never moves, so readers may hold pointers. The mappings are released
/// by the finalizer, never while a search of an older generation might still read them.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "Released by the finalizer only: a search of a replaced generation may still hold pointers into the mapping.")]
internal sealed unsafe class FloatVectorFile
{
    private const int ChunkShift = PinnedChunkedBuffer<float>.ChunkShift;
    private const int ChunkSlots = 1 << ChunkShift;
    private const int CopyBufferBytes = 1 << 20;

    private readonly Lock _growLock = new();
    private readonly FileStream _file;
    private readonly int _dimension;
    private readonly long _chunkBytes;
    private readonly List<(MemoryMappedFile File, MemoryMappedViewAccessor View)> _mappings = [];
    private volatile nint[] _pointers = [];

    public FloatVectorFile(int dimension, string? directory)
    {
        _dimension = dimension;
        _chunkBytes = (long)ChunkSlots * dimension * sizeof(float);
        string folder = string.IsNullOrWhiteSpace(directory) ? Path.GetTempPath() : directory;
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"rag-vectors-{Environment.ProcessId}-{Guid.NewGuid():N}.f32");
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 4096);
        // Unlinked at once: the space is freed when the mappings and the handle close, or when the process ends.
        File.Delete(path);
    }

    ~FloatVectorFile()
    {
        foreach (var (file, view) in _mappings)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            file.Dispose();
        }

        _file.Dispose();
    }

    public int Capacity => _pointers.Length << ChunkShift;

    public float* this[int slot]
    {
        get
        {
            nint[] p = _pointers;
            return (float*)p[slot >> ChunkShift] + (nint)(slot & (ChunkSlots - 1)) * _dimension;
        }
    }

    public void Write(int slot, ReadOnlySpan<float> vector) =>
        RandomAccess.Write(_file.SafeFileHandle, MemoryMarshal.AsBytes(vector), Offset(slot));

    public void EnsureCapacity(int slots)
    {
        if (slots <= Capacity)
        {
            return;
        }

        lock (_growLock)
        {
            int have = _pointers.Length;
            int need = (slots + ChunkSlots - 1) >> ChunkShift;
            if (need <= have)
            {
                return;
            }

            var pointers = new nint[need];
            Array.Copy(_pointers, pointers, have);
            _file.SetLength(need * _chunkBytes);
            for (int c = have; c < need; c++)
            {
                var mapped = MemoryMappedFile.CreateFromFile(_file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
                var view = mapped.CreateViewAccessor(c * _chunkBytes, _chunkBytes, MemoryMappedFileAccess.Read);
                byte* p = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
                _mappings.Add((mapped, view));
                pointers[c] = (nint)(p + view.PointerOffset);
            }

            _pointers = pointers;
        }
    }

    /// <summary>Writes the vectors of slots [0, slots) to <paramref name="write"/>, read through the file, not the mapping.</summary>
    public void CopyTo(int slots, Action<ReadOnlySpan<float>> write)
    {
        var buffer = new float[Math.Max(_dimension, CopyBufferBytes / sizeof(float) / _dimension * _dimension)];
        int perRead = buffer.Length / _dimension;
        for (int slot = 0; slot < slots; slot += perRead)
        {
            int n = Math.Min(perRead, slots - slot);
            var span = buffer.AsSpan(0, n * _dimension);
            var bytes = MemoryMarshal.AsBytes(span);
            for (int done = 0; done < bytes.Length;)
            {
                int got = RandomAccess.Read(_file.SafeFileHandle, bytes[done..], Offset(slot) + done);
                done += got > 0 ? got : throw new EndOfStreamException("the vector file is shorter than its slots");
            }

            write(span);
        }
    }

    /// <summary>Fills slots [0, slots) from <paramref name="read"/> (a snapshot being loaded).</summary>
    public void FillFrom(int slots, Action<Span<float>> read)
    {
        EnsureCapacity(slots);
        var buffer = new float[Math.Max(_dimension, CopyBufferBytes / sizeof(float) / _dimension * _dimension)];
        int perRead = buffer.Length / _dimension;
        for (int slot = 0; slot < slots; slot += perRead)
        {
            int n = Math.Min(perRead, slots - slot);
            var span = buffer.AsSpan(0, n * _dimension);
            read(span);
            RandomAccess.Write(_file.SafeFileHandle, MemoryMarshal.AsBytes((ReadOnlySpan<float>)span), Offset(slot));
        }
    }

    private long Offset(int slot) => (long)slot * _dimension * sizeof(float);
}
