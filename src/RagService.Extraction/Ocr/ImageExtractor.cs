using RagService.Core.Documents;
using RagService.Extraction.Processes;
using RagService.Extraction.Text;

namespace RagService.Extraction.Ocr;

/// <summary>PNG, JPEG and TIFF images: OCR, one paragraph block per paragraph tesseract finds.</summary>
public sealed class ImageExtractor(ExtractionOptions options, TesseractOcr ocr) : IFormatExtractor
{
    public SourceFormat Format => SourceFormat.Image;

    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken)
    {
        if (ImageDimensions.TryRead(content.Span) is var (width, height) && width * height > options.MaxImagePixels)
        {
            throw new ExtractionException($"The image is {width}×{height} pixels; the limit is {options.MaxImagePixels} pixels (Extraction:MaxImagePixels). Scale it down before uploading.", ExtractionFailure.TooLarge);
        }

        using var temp = PrivateTempDirectory.Create(options.TempDirectory);
        var image = await temp.WriteFileAsync("image", content, cancellationToken).ConfigureAwait(false);
        var text = await ocr.RecognizeAsync(image, cancellationToken).ConfigureAwait(false);
        var pages = text.Split('\f');
        var blocks = pages
            .SelectMany((page, i) => ParagraphSplitter.Split(page, joinLines: true, page: pages.Length > 2 ? i + 1 : null))
            .ToList();
        return new ExtractedDocument(null, blocks, "image");
    }
}
