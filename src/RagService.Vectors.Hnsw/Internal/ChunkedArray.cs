namespace RagService.Vectors.Hnsw.Internal;

/// <summary>Managed counterpart of <see cref="PinnedChunkedBuffer{T}"/>: growable without moving written elements.</summary>
internal sealed class ChunkedArray<T>
{
    private const int ChunkShift = 12;
    private const int ChunkMask = (1 << ChunkShift) - 1;

    private readonly Lock _growLock = new();
    private volatile T[][] _chunks = [];

    public ref T this[int index] => ref _chunks[index >> ChunkShift][index & ChunkMask];

    public int Capacity => _chunks.Length << ChunkShift;

    public void EnsureCapacity(int count)
    {
        if (count <= Capacity)
        {
            return;
        }

        lock (_growLock)
        {
            int have = _chunks.Length;
            int need = (count + ChunkMask) >> ChunkShift;
            if (need <= have)
            {
                return;
            }

            var chunks = new T[need][];
            Array.Copy(_chunks, chunks, have);
            for (int c = have; c < need; c++)
            {
                chunks[c] = new T[1 << ChunkShift];
            }

            _chunks = chunks;
        }
    }
}
