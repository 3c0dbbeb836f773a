using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace RagService.Vectors.Hnsw.Snapshots;

/// <summary>Typed reads and writes of the snapshot payload that keep a running checksum (XXH3, 64 bits) and byte count.</summary>
internal sealed class ChecksummedStream(Stream inner)
{
    private readonly XxHash3 _checksum = new();

    public long Length { get; private set; }

    public ulong Checksum => _checksum.GetCurrentHashAsUInt64();

    public void Write<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        inner.Write(bytes);
        _checksum.Append(bytes);
        Length += bytes.Length;
    }

    public void WriteInt32(int value) => Write<int>([value]);

    /// <summary>Fills the span; a short file throws <see cref="EndOfStreamException"/>.</summary>
    public void Read<T>(Span<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        inner.ReadExactly(bytes);
        _checksum.Append(bytes);
        Length += bytes.Length;
    }

    public int ReadInt32()
    {
        Span<int> one = stackalloc int[1];
        Read(one);
        return one[0];
    }
}
