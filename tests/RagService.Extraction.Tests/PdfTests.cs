using System.Diagnostics;
using RagService.Core.Documents;
using RagService.Extraction.Tests.Fixtures;
using Xunit.Abstractions;

namespace RagService.Extraction.Tests;

public class PdfTests(ITestOutputHelper output)
{
    // pdftotext runs only when PdfPig rejects a PDF, so the tests of a hanging pdftotext use one PdfPig rejects.
    private static readonly byte[] Fallback = PdfFixture.PdfPigRejects("Fallback page text: the AB-9000 weighs 12 kg.");

    private static readonly byte[] TwoPages = PdfFixture.TextPdf(
        "Title line XYZ-123\nFirst paragraph line one\nline two continues here.\n第二段：退货期限为七天，\n逾期不予受理。",
        "Page two fact: the AB-9000 weighs 12 kg.");

    [Fact]
    public async Task Text_pdf_keeps_text_per_page()
    {
        var doc = await new DocumentExtractor().ExtractAsync(TwoPages, "manual.pdf", "application/pdf", CancellationToken.None);

        Assert.Equal("pdf", doc.Format);
        var page1 = string.Join("\n", doc.Blocks.Where(b => b.Page == 1).Select(b => b.Text));
        var page2 = string.Join("\n", doc.Blocks.Where(b => b.Page == 2).Select(b => b.Text));
        Assert.Contains("XYZ-123", page1);
        Assert.Contains("line one line two continues", page1);
        Assert.Contains("第二段：退货期限为七天，逾期不予受理。", page1);
        Assert.Equal("Page two fact: the AB-9000 weighs 12 kg.", page2);
        Assert.All(doc.Blocks, b => Assert.Equal(BlockKind.Paragraph, b.Kind));
    }

    [Fact]
    public async Task Every_page_of_a_long_pdf_lands_on_its_page_and_throughput_is_reported()
    {
        const int pageCount = 60;
        var pdf = PdfFixture.TextPdf([.. Enumerable.Range(1, pageCount).Select(n => $"Marker page {n} of the throughput fixture.\nSecond line of page {n}, with some filler words.")]);

        var watch = Stopwatch.StartNew();
        var doc = await new DocumentExtractor().ExtractAsync(pdf, "long.pdf", null, CancellationToken.None);
        watch.Stop();

        for (var n = 1; n <= pageCount; n++)
        {
            Assert.Contains(doc.Blocks, b => b.Page == n && b.Text.Contains($"Marker page {n} of"));
        }

        output.WriteLine($"THROUGHPUT text PDF: {pageCount} pages in {watch.Elapsed.TotalSeconds:0.000} s = {pageCount / watch.Elapsed.TotalSeconds:0.0} pages/s");
    }

    [Fact]
    public async Task Page_without_text_layer_is_ocred_with_its_page_number()
    {
        var scan = PdfFixture.TextPng("扫描页：保修期为三年。\nWarranty: three years.");
        var pdf = PdfFixture.MixedPdf(scan, "Text page one says the hotline is 400-800-1234.", null);

        var watch = Stopwatch.StartNew();
        var doc = await new DocumentExtractor().ExtractAsync(pdf, "scan.pdf", null, CancellationToken.None);
        watch.Stop();

        Assert.Contains(doc.Blocks, b => b.Page == 1 && b.Text.Contains("400-800-1234"));
        var page2 = string.Join("\n", doc.Blocks.Where(b => b.Page == 2).Select(b => b.Text));
        Assert.Contains("保修期为三年", page2);
        Assert.Contains("Warranty", page2);
        output.WriteLine($"THROUGHPUT OCR: 1 text page + 1 scanned page (300 dpi render + tesseract chi_sim+eng) in {watch.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task Text_layer_comes_from_pdfpig_and_the_report_says_so()
    {
        var doc = await new DocumentExtractor().ExtractAsync(TwoPages, "manual.pdf", null, CancellationToken.None);

        Assert.Equal("pdfpig", doc.Report["extraction.textLayer"]);
        Assert.False(doc.Report.ContainsKey("extraction.fallbackReason"));
    }

    [Fact]
    public async Task Pdf_that_pdfpig_rejects_falls_back_to_poppler_with_the_reason_in_the_report()
    {
        var doc = await new DocumentExtractor().ExtractAsync(Fallback, "odd.pdf", null, CancellationToken.None);

        Assert.StartsWith("Fallback page text: the AB-9000 weighs 12 kg.", doc.Blocks[0].Text);
        Assert.Equal(1, doc.Blocks[0].Page);
        Assert.Equal("poppler", doc.Report["extraction.textLayer"]);
        Assert.Contains("InvalidFontFormatException", doc.Report["extraction.fallbackReason"]);
    }

    [Fact]
    public async Task Hostile_nesting_does_not_take_the_process_down_and_goes_to_poppler()
    {
        var pdf = PdfFixture.DeeplyNested("Nested page text: the AB-9000 weighs 12 kg.", depth: 200_000);

        var doc = await new DocumentExtractor().ExtractAsync(pdf, "deep.pdf", null, CancellationToken.None);

        Assert.StartsWith("Nested page text: the AB-9000 weighs 12 kg.", doc.Blocks[0].Text);
        Assert.Equal("poppler", doc.Report["extraction.textLayer"]);
        Assert.Contains("PdfDocumentStackDepthException", doc.Report["extraction.fallbackReason"]);
    }

    [Theory]
    [InlineData("PdfPigPageTimeout")]
    [InlineData("MaxPdfPigBytes")]
    [InlineData("MaxPdfPigPageLetters")]
    [InlineData("MaxPdfPigInvalidCharShare")]
    public void Out_of_range_pdf_text_layer_bounds_are_refused_naming_the_setting(string setting)
    {
        var options = setting switch
        {
            "PdfPigPageTimeout" => new ExtractionOptions { PdfPigPageTimeout = TimeSpan.Zero },
            "MaxPdfPigBytes" => new ExtractionOptions { MaxPdfPigBytes = 0 },
            "MaxPdfPigPageLetters" => new ExtractionOptions { MaxPdfPigPageLetters = -1 },
            _ => new ExtractionOptions { MaxPdfPigInvalidCharShare = 1.5 },
        };

        var ex = Assert.Throws<ArgumentException>(() => new DocumentExtractor(options));

        Assert.Contains("Extraction:" + setting, ex.Message);
    }

    [Fact]
    public async Task Pdf_over_the_in_process_size_limit_goes_to_poppler_and_says_why()
    {
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxPdfPigBytes = TwoPages.Length - 1 });

        var doc = await extractor.ExtractAsync(TwoPages, "big.pdf", null, CancellationToken.None);

        Assert.Contains(doc.Blocks, b => b.Page == 2 && b.Text.Contains("AB-9000"));
        Assert.Equal("poppler", doc.Report["extraction.textLayer"]);
        Assert.Contains("MaxPdfPigBytes", doc.Report["extraction.fallbackReason"]);
    }

    [Fact]
    public async Task Page_with_more_glyphs_than_the_in_process_limit_sends_the_pdf_to_poppler()
    {
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxPdfPigPageLetters = 20 });

        var doc = await extractor.ExtractAsync(TwoPages, "dense.pdf", null, CancellationToken.None);

        Assert.Equal("poppler", doc.Report["extraction.textLayer"]);
        Assert.Contains("page 1 has", doc.Report["extraction.fallbackReason"]);
        Assert.Contains("MaxPdfPigPageLetters", doc.Report["extraction.fallbackReason"]);
    }

    [Fact]
    public async Task Encrypted_pdf_is_unreadable_and_says_so()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() =>
            new DocumentExtractor().ExtractAsync(PdfFixture.EncryptedPdf("secret text"), "locked.pdf", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("encrypted", ex.Message);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.95)]
    public async Task Truncated_pdf_is_unreadable(double keep)
    {
        var truncated = TwoPages[..(int)(TwoPages.Length * keep)];

        var ex = await Assert.ThrowsAsync<ExtractionException>(() =>
            new DocumentExtractor().ExtractAsync(truncated, "cut.pdf", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public async Task Pdf_with_garbage_body_is_unreadable()
    {
        var bytes = "%PDF-1.7\nthis is not a real pdf body\n%%EOF\n"u8.ToArray();

        var ex = await Assert.ThrowsAsync<ExtractionException>(() =>
            new DocumentExtractor().ExtractAsync(bytes, "junk.pdf", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
    }

    [Fact]
    public async Task Too_many_pages_is_refused()
    {
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxPdfPages = 1 });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => extractor.ExtractAsync(TwoPages, "big.pdf", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TooLarge, ex.Failure);
        Assert.Contains("MaxPdfPages", ex.Message);
    }

    [Fact]
    public Task Hanging_extractor_times_out_and_leaves_no_process_or_temp_file() => WithHangingPdfToText(async (tool, work) =>
    {
        var temp = Directory.CreateDirectory(Path.Combine(work, "tmp")).FullName;
        var options = new ExtractionOptions { PdfToTextPath = tool, PdfTimeout = TimeSpan.FromSeconds(1.5), TempDirectory = temp };

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor(options).ExtractAsync(Fallback, "hang.pdf", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TimedOut, ex.Failure);
        Assert.Contains("PdfTimeout", ex.Message);
        await AssertToolAndChildGone(work);
        Assert.Empty(Directory.GetFileSystemEntries(temp));
    });

    [Fact]
    public Task Whole_extraction_is_bounded_by_total_timeout() => WithHangingPdfToText(async (tool, work) =>
    {
        var options = new ExtractionOptions { PdfToTextPath = tool, PdfTimeout = TimeSpan.FromMinutes(5), TotalTimeout = TimeSpan.FromSeconds(1.5) };

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor(options).ExtractAsync(Fallback, "hang.pdf", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TimedOut, ex.Failure);
        Assert.Contains("TotalTimeout", ex.Message);
        await AssertToolAndChildGone(work);
    });

    [Fact]
    public Task Cancellation_kills_the_tool() => WithHangingPdfToText(async (tool, work) =>
    {
        var options = new ExtractionOptions { PdfToTextPath = tool, PdfTimeout = TimeSpan.FromMinutes(5) };
        using var cts = new CancellationTokenSource();

        var task = new DocumentExtractor(options).ExtractAsync(Fallback, "hang.pdf", null, cts.Token);
        await ProcessProbe.ReadPidAsync(Path.Combine(work, "child.pid"));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        await AssertToolAndChildGone(work);
    });

    private static async Task WithHangingPdfToText(Func<string, string, Task> test)
    {
        var work = Directory.CreateTempSubdirectory("rag-hang-test-").FullName;
        try
        {
            await test(ProcessProbe.HangingTool(work), work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task AssertToolAndChildGone(string work)
    {
        Assert.True(await ProcessProbe.IsGoneSoonAsync(await ProcessProbe.ReadPidAsync(Path.Combine(work, "tool.pid"))), "the tool survived");
        Assert.True(await ProcessProbe.IsGoneSoonAsync(await ProcessProbe.ReadPidAsync(Path.Combine(work, "child.pid"))), "the tool's child survived");
    }
}
