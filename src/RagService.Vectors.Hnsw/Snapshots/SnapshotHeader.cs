using System.Buffers.Binary;
using System.IO.Hashing;

namespace RagService.Vectors.Hnsw.Snapshots;

/// <summary>
/// The fixed 64-byte header at the start of a snapshot file (little-endian). The header and the payload each carry an
/// XXH3 64-bit checksum (System.IO.Hashing, seed 0); it detects truncation and corruption, it is not a cryptographic hash.
/// </summary>
internal readonly record struct SnapshotHeader(
    int FormatVersion, SnapshotKind Kind, int Dimension, int LiveCount, int SlotCount, int M,
    long SourceVersion, long PayloadLength, ulong PayloadChecksum)
{
    public const int Size = 64;
    /// <summary>
    /// 4: the vector quantisation after the entry point's level (int8 snapshots add the calibration and the codes);
    /// 3: XXH3 checksums (version 2 had the service's own multiply-rotate checksum; 2: duplicate groups after the upper
    /// links). Version 3 is still read (as float vectors); older snapshots are rebuilt.
    /// </summary>
    public const int CurrentFormatVersion = 4;

    /// <summary>The oldest format version this build reads.</summary>
    public const int OldestReadableVersion = 3;
    public const ulong Magic = 0x5844_4943_4556_5352; // "RSVECIDX" read as a little-endian u64

    public void WriteTo(Span<byte> b)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(b[0..], Magic);
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(b[12..], (int)Kind);
        BinaryPrimitives.WriteInt32LittleEndian(b[16..], Dimension);
        BinaryPrimitives.WriteInt32LittleEndian(b[20..], LiveCount);
        BinaryPrimitives.WriteInt32LittleEndian(b[24..], SlotCount);
        BinaryPrimitives.WriteInt32LittleEndian(b[28..], M);
        BinaryPrimitives.WriteInt64LittleEndian(b[32..], SourceVersion);
        BinaryPrimitives.WriteInt64LittleEndian(b[40..], PayloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(b[48..], PayloadChecksum);
        BinaryPrimitives.WriteUInt64LittleEndian(b[56..], XxHash3.HashToUInt64(b[..56]));
    }

    /// <summary>
    /// Parses a header; null with a reason when the bytes are not a valid header. Any format version passes (the
    /// header layout is the same in all); the caller turns away versions it cannot read. The header checksum is checked
    /// for the readable versions only: older versions used another checksum, and are rebuilt whatever their checksum says.
    /// </summary>
    public static SnapshotHeader? TryRead(ReadOnlySpan<byte> b, out string problem)
    {
        problem = "";
        if (b.Length < Size) { problem = "file shorter than the header"; return null; }
        if (BinaryPrimitives.ReadUInt64LittleEndian(b) != Magic) { problem = "bad magic number"; return null; }
        if (BinaryPrimitives.ReadInt32LittleEndian(b[8..]) is >= OldestReadableVersion and <= CurrentFormatVersion && BinaryPrimitives.ReadUInt64LittleEndian(b[56..]) != XxHash3.HashToUInt64(b[..56]))
        {
            problem = "header checksum mismatch";
            return null;
        }

        var header = new SnapshotHeader(
            BinaryPrimitives.ReadInt32LittleEndian(b[8..]),
            (SnapshotKind)BinaryPrimitives.ReadInt32LittleEndian(b[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[16..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[20..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[24..]),
            BinaryPrimitives.ReadInt32LittleEndian(b[28..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[32..]),
            BinaryPrimitives.ReadInt64LittleEndian(b[40..]),
            BinaryPrimitives.ReadUInt64LittleEndian(b[48..]));
        if (header.Kind is not (SnapshotKind.Hnsw or SnapshotKind.Exact)) { problem = $"unknown index kind {(int)header.Kind}"; return null; }
        if (header.Dimension < 1 || header.SlotCount < 0 || header.LiveCount < 0 || header.LiveCount > header.SlotCount || header.PayloadLength < 0)
        { problem = "header fields out of range"; return null; }
        return header;
    }
}

/// <summary>Which index a snapshot holds.</summary>
public enum SnapshotKind
{
    Hnsw = 1,
    Exact = 2,
}
