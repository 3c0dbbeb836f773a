using System.Buffers.Binary;

namespace RagService.Api.Archives;

/// <summary>
/// Sits between the decompressor and <see cref="System.Formats.Tar.TarReader"/> and follows the 512-byte tar blocks
/// as they pass. A GNU long-name/long-link ('L'/'K') or pax ('x'/'g') header is read whole into memory by TarReader,
/// so its declared size is checked here first, before one byte of it is handed on.
/// </summary>
internal sealed class TarHeaderGuardStream(Stream inner, long maxHeaderBytes, Func<char, long, Exception> onOversized) : Stream
{
    private const int Block = 512;
    private readonly byte[] _header = new byte[Block];
    private int _headerFill;
    private long _dataRemaining;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Follow(buffer.AsSpan(offset, n));
        return n;
    }

    private void Follow(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            if (_dataRemaining > 0)
            {
                var skip = (int)Math.Min(_dataRemaining, bytes.Length);
                _dataRemaining -= skip;
                bytes = bytes[skip..];
                continue;
            }

            var take = Math.Min(Block - _headerFill, bytes.Length);
            bytes[..take].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += take;
            bytes = bytes[take..];
            if (_headerFill == Block)
            {
                _headerFill = 0;
                var type = (char)_header[156];
                var size = EntrySize(_header);
                if (type is 'L' or 'K' or 'x' or 'g' && size > maxHeaderBytes)
                {
                    throw onOversized(type, size);
                }

                // Entry data is padded to whole blocks; an all-zero end block has size 0.
                _dataRemaining = size > long.MaxValue - Block ? long.MaxValue : (size + Block - 1) / Block * Block;
            }
        }
    }

    /// <summary>The size field: octal digits, or base-256 (GNU) when the first byte has its high bit set.</summary>
    private static long EntrySize(byte[] header)
    {
        var field = header.AsSpan(124, 12);
        if ((field[0] & 0x80) != 0)
        {
            // Base-256: a size needing more than the last 8 bytes is beyond any bound anyway.
            return field[..4].ContainsAnyExcept((byte)0x80, (byte)0) ? long.MaxValue : (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(field[4..]), long.MaxValue);
        }

        long size = 0;
        foreach (var b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                size = size * 8 + (b - '0');
            }
            else if (b is 0 or (byte)' ' && size > 0)
            {
                break;
            }
        }

        return size;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
