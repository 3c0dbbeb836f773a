using System.Buffers.Binary;

namespace RagService.Extraction.Ocr;

/// <summary>Reads width and height from a PNG, JPEG or TIFF header, so a pixel bomb is refused before a decoder allocates it.</summary>
public static class ImageDimensions
{
    /// <summary>
    /// (width, height), or null when the format is not PNG/JPEG/TIFF or the header is unreadable. For a TIFF, the largest image of its first 64
    /// directories.
    /// </summary>
    public static (long Width, long Height)? TryRead(ReadOnlySpan<byte> image)
    {
        if (image.Length >= 24 && image.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) && image[12..16].SequenceEqual("IHDR"u8))
        {
            return (BinaryPrimitives.ReadUInt32BigEndian(image[16..]), BinaryPrimitives.ReadUInt32BigEndian(image[20..]));
        }

        if (image.Length >= 4 && image[0] == 0xFF && image[1] == 0xD8)
        {
            return JpegFrameSize(image);
        }

        if (image.StartsWith("II*\0"u8) || image.StartsWith("MM\0*"u8))
        {
            return TiffLargestImage(image, littleEndian: image[0] == (byte)'I');
        }

        return null;
    }

    // Walks JPEG marker segments up to the first start-of-frame (SOF0..SOF15 except DHT C4, JPG C8, DAC CC).
    private static (long, long)? JpegFrameSize(ReadOnlySpan<byte> jpeg)
    {
        var i = 2;
        while (i + 9 < jpeg.Length)
        {
            if (jpeg[i] != 0xFF)
            {
                return null;
            }

            var marker = jpeg[i + 1];
            if (marker == 0xFF)
            {
                i++;
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(jpeg[(i + 5)..]));
            }

            if (marker is 0xD9 or 0xDA || length < 2)
            {
                return null;
            }

            i += 2 + length;
        }
        return null;
    }

    // Walks the chain of image file directories (IFDs) and reads ImageWidth (256) and ImageLength (257), SHORT or LONG.
    private static (long, long)? TiffLargestImage(ReadOnlySpan<byte> tiff, bool littleEndian)
    {
        (long Width, long Height)? largest = null;
        var ifd = (long)U32(tiff, 4, littleEndian);
        for (var n = 0; n < 64 && ifd >= 8 && ifd + 2 <= tiff.Length; n++)
        {
            var entries = U16(tiff, (int)ifd, littleEndian);
            long width = 0, height = 0;
            for (var e = 0; e < entries && ifd + 2 + (e + 1) * 12 <= tiff.Length; e++)
            {
                var at = (int)ifd + 2 + e * 12;
                var tag = U16(tiff, at, littleEndian);
                var type = U16(tiff, at + 2, littleEndian);
                long value = type == 3 ? U16(tiff, at + 8, littleEndian) : U32(tiff, at + 8, littleEndian);
                if (tag == 256)
                {
                    width = value;
                }
                else if (tag == 257)
                {
                    height = value;
                }
            }

            if (width * height > (largest?.Width * largest?.Height ?? -1))
            {
                largest = (width, height);
            }

            var next = ifd + 2 + entries * 12L;
            if (next + 4 > tiff.Length)
            {
                break;
            }

            ifd = U32(tiff, (int)next, littleEndian);
        }

        return largest;
    }

    private static uint U32(ReadOnlySpan<byte> b, int at, bool littleEndian) =>
        littleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);

    private static ushort U16(ReadOnlySpan<byte> b, int at, bool littleEndian) =>
        littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);
}
