using RagService.Core.Documents;
using RagService.Extraction.Pdf;
using RagService.Extraction.Tests.Fixtures;
using RagService.Extraction.Text;

namespace RagService.Extraction.Tests;

/// <summary>Every text layer is judged before it is stored: garbage goes to OCR, and a file nothing reads is refused.</summary>
public class TextLayerJudgeTests
{
    // PdfPig reads this fixture's font through its encoding; poppler, like the real-world file, through the broken ToUnicode map.
    private static readonly DocumentExtractor PopplerOnly = new(new ExtractionOptions { PdfTextLayer = PdfTextLayer.Poppler });

    [Theory]
    [InlineData("The pump must be serviced every 300 hours; check the XYZ-123 valve first.")]
    [InlineData("Le château est très âgé ; où est la clé ? Hôtel, naïve, cœur.")]
    [InlineData("Tiếng Việt có dấu: người, đường, thương, nước, những điều.")]
    [InlineData("本设备的额定电压为220V，最大功率为1500W。使用前请仔细阅读说明书，并检查电源是否正常。")]
    [InlineData("std::vector<int> v; // 42")]
    public void Ordinary_text_reads(string text) => Assert.Null(TextLayerJudge.WhyUnreadable(text, 0.2));

    [Fact]
    public void Private_use_and_control_characters_do_not_read()
    {
        var garbage = new string(Enumerable.Range(0, 60).Select(i => (char)(i % 3 == 0 ? 0x01 : 0xE000 + i)).ToArray()) + " ok";

        Assert.Contains("control, private-use or replacement", TextLayerJudge.WhyUnreadable(garbage, 0.2));
    }

    [Fact]
    public void Rare_ideographs_from_a_broken_cjk_font_do_not_read()
    {
        // Consecutive code points from the far end of the CJK block: real, assigned, and almost never used together.
        var garbage = new string(Enumerable.Range(0x9E00, 40).Select(c => (char)c).ToArray());

        Assert.Contains("rare", TextLayerJudge.WhyUnreadable(garbage, 0.2));
    }

    [Fact]
    public void Latin_words_without_vowels_do_not_read()
    {
        Assert.Contains("vowel", TextLayerJudge.WhyUnreadable("Xqzt bvkl prst fgh wmk ndrj ckls tqrz vbnm plkj hgfd sdfg", 0.2));
    }

    [Fact]
    public async Task A_pdf_whose_text_layer_is_garbage_in_every_reader_is_read_by_ocr()
    {
        var pdf = HostileFiles.PdfWithGarbledTextLayer("Pumps need fresh oil every week");

        var document = await PopplerOnly.ExtractAsync(pdf, "garbled.pdf", null, CancellationToken.None);

        Assert.Contains("Pumps need fresh oil", document.FullText);
        Assert.DoesNotContain(document.FullText, c => c is >= '\uE000' and <= '\uF8FF');
        Assert.Equal("1", document.Report[PdfExtractor.OcrPagesKey]);
    }

    [Fact]
    public async Task A_pdf_that_nothing_reads_is_refused_saying_why()
    {
        var pdf = HostileFiles.PdfWithGarbledTextLayer("Pumps need fresh oil every week", visible: false);

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => PopplerOnly.ExtractAsync(pdf, "garbled.pdf", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("No page of the PDF has readable text: page 1: the text layer is unreadable", ex.Message);
        Assert.Contains("private-use", ex.Message);
    }

    [Fact]
    public async Task A_page_nothing_reads_is_left_out_with_a_warning_and_the_rest_is_kept()
    {
        var pdf = HostileFiles.PdfWithGarbledTextLayer("Pumps need fresh oil every week", visible: false, readableFirstPage: "Valves need grease every month");

        var document = await PopplerOnly.ExtractAsync(pdf, "half.pdf", null, CancellationToken.None);

        Assert.Contains("Valves need grease every month", document.FullText);
        Assert.DoesNotContain(document.FullText, c => c is >= '\uE000' and <= '\uF8FF');
        var warning = Assert.Single(document.Warnings);
        Assert.StartsWith("page 2: the text layer is unreadable", warning);
    }
}
