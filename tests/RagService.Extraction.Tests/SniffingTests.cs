using System.IO.Compression;
using System.Text;
using RagService.Core.Documents;

namespace RagService.Extraction.Tests;

public class SniffingTests
{
    private static Task<ExtractedDocument> Extract(byte[] bytes, string? name, string? contentType = null) =>
        new DocumentExtractor().ExtractAsync(bytes, name, contentType, CancellationToken.None);

    [Fact]
    public async Task Empty_file_is_unreadable_with_a_reason()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract([], "empty.pdf"));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("empty", ex.Message);
    }

    [Fact]
    public async Task Random_binary_renamed_to_pdf_is_unsupported()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(bytes, "report.pdf"));

        Assert.Equal(ExtractionFailure.UnsupportedFormat, ex.Failure);
        Assert.Contains("not a PDF", ex.Message);
    }

    [Fact]
    public async Task Random_binary_with_text_name_is_unsupported()
    {
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(bytes, "notes.txt"));

        Assert.Equal(ExtractionFailure.UnsupportedFormat, ex.Failure);
    }

    [Fact]
    public async Task Elf_executable_renamed_to_txt_is_unsupported()
    {
        var bytes = File.ReadAllBytes("/bin/true");

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(bytes, "readme.txt", "text/plain"));

        Assert.Equal(ExtractionFailure.UnsupportedFormat, ex.Failure);
    }

    [Fact]
    public async Task Zip_that_is_not_docx_is_unsupported()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var w = new StreamWriter(zip.CreateEntry("data.txt").Open());
            w.Write("hello");
        }

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(ms.ToArray(), "data.docx"));

        Assert.Equal(ExtractionFailure.UnsupportedFormat, ex.Failure);
        Assert.Contains("not a DOCX", ex.Message);
    }

    [Fact]
    public async Task Legacy_doc_is_refused_with_advice()
    {
        byte[] ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0];

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract(ole, "old.doc"));

        Assert.Equal(ExtractionFailure.UnsupportedFormat, ex.Failure);
        Assert.Contains("DOCX", ex.Message);
    }

    [Theory]
    [InlineData("%PDF-1.7\n", "x.bin", SourceFormat.Pdf)]
    [InlineData("<!DOCTYPE html><html><body>x</body></html>", "page", SourceFormat.Html)]
    [InlineData("  <html lang=\"zh\"><p>x</p></html>", null, SourceFormat.Html)]
    [InlineData("<p>fragment</p>", "frag.htm", SourceFormat.Html)]
    [InlineData("# t", "a.markdown", SourceFormat.Markdown)]
    [InlineData("plain words", null, SourceFormat.Text)]
    public void Format_is_sniffed_from_content_then_name(string content, string? name, SourceFormat expected)
    {
        Assert.Equal(expected, FormatSniffer.Sniff(Encoding.UTF8.GetBytes(content), name, null).Format);
    }

    [Fact]
    public void Image_signatures_win_over_a_wrong_name()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0];
        byte[] tiff = [(byte)'I', (byte)'I', 42, 0, 8, 0];

        Assert.Equal(SourceFormat.Image, FormatSniffer.Sniff(png, "a.txt", null).Format);
        Assert.Equal(SourceFormat.Image, FormatSniffer.Sniff(jpeg, "a.pdf", null).Format);
        Assert.Equal(SourceFormat.Image, FormatSniffer.Sniff(tiff, null, null).Format);
    }

    [Theory]
    [InlineData("extraction.md", SourceFormat.Markdown)]
    [InlineData("notes.txt", SourceFormat.Text)]
    [InlineData("page.html", SourceFormat.Html)]
    public void A_text_file_that_quotes_the_pdf_header_is_text(string name, SourceFormat expected)
    {
        // As docs/extraction.md does: the header is named near the top of a page about extraction.
        var text = "# Extraction\n\n1. 0 bytes → Unreadable.\n2. `%PDF-` in the first 1 KiB → PDF.\n3. 图片 → OCR.\n";

        Assert.Equal(expected, FormatSniffer.Sniff(Encoding.UTF8.GetBytes(text), name, null).Format);
    }

    [Theory]
    [InlineData("report.pdf")]
    [InlineData("report.txt")]
    [InlineData("report.md")]
    [InlineData(null)]
    public void A_binary_pdf_with_junk_before_its_header_is_a_pdf_whatever_its_name(string? name)
    {
        var pdf = Encoding.ASCII.GetBytes("MIME junk before the header\r\n").Concat(Fixtures.PdfFixture.TextPdf("Pumps need oil.")).ToArray();

        Assert.Equal(SourceFormat.Pdf, FormatSniffer.Sniff(pdf, name, null).Format);
    }
}
