using System.Text;
using RagService.Core.Documents;
using RagService.Extraction.Ocr;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Extraction.Tests;

/// <summary>TIFF pixel bombs, tesseract errors that exit 0, DOCX with several bodies, PDFs with junk before the header.</summary>
public class OtherFormatBoundsTests
{
    [Theory]
    [InlineData(60_000u, 60_000u)]
    [InlineData(12_000u, 9_000u)]
    public void Tiff_dimensions_are_read_from_the_header(uint width, uint height) =>
        Assert.Equal((width, height), ImageDimensions.TryRead(HostileFiles.TiffHeader(width, height)) is var (w, h) ? ((uint)w, (uint)h) : default);

    [Fact]
    public async Task A_giant_tiff_is_refused_as_too_large_before_ocr()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor().ExtractAsync(HostileFiles.TiffHeader(60_000, 60_000), "scan.tif", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TooLarge, ex.Failure);
        Assert.Contains("60000×60000", ex.Message);
    }

    [Fact]
    public async Task A_tesseract_error_line_is_an_error_even_when_it_exits_zero()
    {
        // With the pixel bound off, the giant TIFF reaches tesseract, which prints leptonica's errors and exits 0.
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxImagePixels = long.MaxValue });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => extractor.ExtractAsync(HostileFiles.TiffHeader(60_000, 60_000), "scan.tif", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("OCR failed: Error in pixCreateHeader: requested bytes >= 2^31", ex.Message);
    }

    [Fact]
    public async Task Every_body_of_a_docx_is_read()
    {
        var docx = DocxWithBodies("First body: pumps need oil.", "Second body: valves need grease.");

        var document = await new DocumentExtractor().ExtractAsync(docx, "two.docx", null, CancellationToken.None);

        Assert.Contains("pumps need oil", document.FullText);
        Assert.Contains("valves need grease", document.FullText);
    }

    [Fact]
    public async Task A_pdf_with_junk_before_its_header_is_read()
    {
        var pdf = Encoding.ASCII.GetBytes("Content-Type: application/pdf\r\n\r\n").Concat(PdfFixture.TextPdf("Pumps need oil every 300 hours.")).ToArray();

        var document = await new DocumentExtractor().ExtractAsync(pdf, "mail-attachment.pdf", null, CancellationToken.None);

        Assert.Contains("Pumps need oil every 300 hours.", document.FullText);
    }

    private static byte[] DocxWithBodies(params string[] texts) => HostileFiles.Docx(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
        + string.Concat(texts.Select(t => $"<w:body><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:body>")) + "</w:document>");
}
