namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Fixed-stride records in pinned chunks that never move, so readers can hold raw pointers
/// while writers grow the buffer. Growth publishes a new chunk directory; old chunks stay shared.
/// Each chunk starts on a 64-byte boundary so that SIMD loads of cache-line sized records do not split lines.
/// </summary>
internal sealed unsafe class PinnedChunkedBuffer<T> where T : unmanaged
{
    public const int ChunkShift = 12;
    private const int Alignment = 64;
    public const int ChunkSlots = 1 << ChunkShift;
    private const int ChunkMask = ChunkSlots - 1;

    private readonly Lock _growLock = new();
    private readonly int _stride;
    private volatile T[][] _chunks = [];
    private volatile nint[] _pointers = [];
    private volatile int[] _offsets = [];

    public PinnedChunkedBuffer(int stride) => _stride = stride;

    public int Stride => _stride;

    public int Capacity => _pointers.Length << ChunkShift;

    public T* this[int slot]
    {
        get
        {
            nint[] p = _pointers;
            return (T*)p[slot >> ChunkShift] + (nint)(slot & ChunkMask) * _stride;
        }
    }

    public Span<T> Record(int slot) => new(this[slot], _stride);

    public void EnsureCapacity(int slots)
    {
        if (slots <= Capacity)
        {
            return;
        }

        lock (_growLock)
        {
            int have = _chunks.Length;
            int need = (slots + ChunkMask) >> ChunkShift;
            if (need <= have)
            {
                return;
            }

            var chunks = new T[need][];
            var pointers = new nint[need];
            var offsets = new int[need];
            Array.Copy(_chunks, chunks, have);
            Array.Copy(_pointers, pointers, have);
            Array.Copy(_offsets, offsets, have);
            int pad = Alignment / sizeof(T);
            for (int c = have; c < need; c++)
            {
                chunks[c] = GC.AllocateArray<T>(ChunkSlots * _stride + pad, pinned: true);
                fixed (T* p = chunks[c])
                {
                    nint aligned = ((nint)p + Alignment - 1) & ~(nint)(Alignment - 1);
                    offsets[c] = (int)((aligned - (nint)p) / sizeof(T));
                    pointers[c] = aligned;
                }
            }
            _chunks = chunks;
            _offsets = offsets;
            _pointers = pointers;
        }
    }

    /// <summary>The records of slots [0, slots) as consecutive spans, one per chunk (for snapshots).</summary>
    public IEnumerable<Memory<T>> Segments(int slots)
    {
        EnsureCapacity(slots);
        T[][] chunks = _chunks;
        int[] offsets = _offsets;
        for (int c = 0; slots > 0; c++)
        {
            int n = Math.Min(slots, ChunkSlots);
            yield return chunks[c].AsMemory(offsets[c], n * _stride);
            slots -= n;
        }
    }

    public long AllocatedBytes => (long)_chunks.Length * ChunkSlots * _stride * sizeof(T);
}
