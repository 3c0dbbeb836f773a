using System.Buffers.Binary;

namespace RagService.Extraction.Ocr;

/// <summary>Reads width and height from a PNG or JPEG header, so a pixel bomb is refused before a decoder allocates it.</summary>
public static class ImageDimensions
{
    /// <summary>(width, height), or null when the format is not PNG/JPEG or the header is unreadable.</summary>
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
}
