using System.Buffers.Binary;
using System.Numerics;

namespace RagService.VectorIndex.Snapshots;

/// <summary>
/// Streaming 64-bit checksum over 8-byte words (multiply-rotate mixing). It detects truncation and
/// corruption; it is not a cryptographic hash.
/// </summary>
internal sealed class Checksum64
{
    private const ulong P1 = 0x9E3779B185EBCA87UL;
    private const ulong P2 = 0xC2B2AE3D27D4EB4FUL;

    private readonly byte[] _pending = new byte[8];
    private int _pendingCount;
    private ulong _hash = 0x27D4EB2F165667C5UL;
    private long _length;

    public void Append(ReadOnlySpan<byte> data)
    {
        _length += data.Length;
        if (_pendingCount > 0)
        {
            int take = Math.Min(8 - _pendingCount, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += take;
            data = data[take..];
            if (_pendingCount < 8)
            {
                return;
            }

            Mix(BinaryPrimitives.ReadUInt64LittleEndian(_pending));
            _pendingCount = 0;
        }
        int words = data.Length / 8;
        for (int i = 0; i < words; i++)
        {
            Mix(BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i * 8, 8)));
        }

        var rest = data[(words * 8)..];
        rest.CopyTo(_pending);
        _pendingCount = rest.Length;
    }

    public ulong Value
    {
        get
        {
            ulong h = _hash;
            if (_pendingCount > 0)
            {
                Span<byte> last = stackalloc byte[8];
                _pending.AsSpan(0, _pendingCount).CopyTo(last);
                h = Step(h, BinaryPrimitives.ReadUInt64LittleEndian(last));
            }
            h = Step(h, (ulong)_length);
            h ^= h >> 33;
            h *= P2;
            h ^= h >> 29;
            return h;
        }
    }

    public static ulong Of(ReadOnlySpan<byte> data)
    {
        var c = new Checksum64();
        c.Append(data);
        return c.Value;
    }

    private void Mix(ulong word) => _hash = Step(_hash, word);

    private static ulong Step(ulong h, ulong word) => BitOperations.RotateLeft(h ^ (word * P1), 31) * P2;
}
