using System.IO.Compression;
using RagService.Core.Documents;

namespace RagService.Extraction.Docx;

/// <summary>
/// Refuses zip archives with too many entries or too many decompressed bytes before any parser touches them.
/// Sizes are measured by actually inflating (bounded), because the sizes in zip headers can lie.
/// </summary>
public static class ZipBombGuard
{
    public static void Check(ReadOnlyMemory<byte> content, int maxEntries, long maxUncompressedBytes, CancellationToken cancellationToken)
    {
        try
        {
            using var zip = new ZipArchive(ReadOnlyStream.Of(content), ZipArchiveMode.Read);
            if (zip.Entries.Count > maxEntries)
            {
                throw TooLarge($"The DOCX archive has {zip.Entries.Count} entries; the limit is {maxEntries} (Extraction:MaxDocxEntries).");
            }

            long declared = zip.Entries.Sum(e => e.Length);
            if (declared > maxUncompressedBytes)
            {
                throw TooLarge($"The DOCX archive declares {declared} uncompressed bytes; the limit is {maxUncompressedBytes} (Extraction:MaxDocxUncompressedBytes).");
            }

            var buffer = new byte[81920];
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var stream = entry.Open();
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    total += read;
                    if (total > maxUncompressedBytes)
                    {
                        throw TooLarge($"The DOCX archive inflates to more than {maxUncompressedBytes} bytes (Extraction:MaxDocxUncompressedBytes); refused as a possible decompression bomb.");
                    }
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ExtractionException("The DOCX file is damaged: " + ex.Message, ExtractionFailure.Unreadable, ex);
        }
    }

    private static ExtractionException TooLarge(string message) => new(message, ExtractionFailure.TooLarge);
}
