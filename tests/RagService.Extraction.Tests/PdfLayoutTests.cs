using System.Text.Json;
using RagService.Core.Documents;
using RagService.Extraction.Text;

namespace RagService.Extraction.Tests;

/// <summary>
/// The PdfPig text layer on the committed corpus (tests/pdf-corpus, printed by headless Chromium and re-distilled by
/// Ghostscript from HTML whose text is known): the oracle is the source text, its headings and its running header/footer.
/// </summary>
public class PdfLayoutTests
{
    public static TheoryData<string, string> CorpusFiles() => Files("chromium", "ghostscript");

    // Ghostscript rewrites some ToUnicode entries of the Droid font wrongly ("（" → "ÿ"): poppler and PdfPig read the
    // same wrong characters, so exact text is checked on the Chromium files only (the bench scores both).
    public static TheoryData<string, string> ChromiumFiles() => Files("chromium");

    private static TheoryData<string, string> Files(params string[] producers)
    {
        var data = new TheoryData<string, string>();
        foreach (var producer in producers)
        {
            foreach (var name in new[] { "zh-manual", "mixed-two-column", "en-report" })
            {
                data.Add(producer, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ChromiumFiles))]
    public async Task Every_source_paragraph_comes_out_whole_and_in_source_order(string producer, string name)
    {
        var (truth, doc) = await ExtractAsync(producer, name);
        var text = CjkText.CollapseWhitespace(string.Join("\n", doc.Blocks.Select(b => b.Text)));

        // Whole: hyphenated words joined, CJK lines joined without a space; in order: columns read one after the other.
        var position = 0;
        foreach (var line in truth.GetProperty("text").GetString()!.Split('\n'))
        {
            var expected = CjkText.CollapseWhitespace(line);
            var found = text.IndexOf(expected, position, StringComparison.Ordinal);
            Assert.True(found >= 0, $"{producer}/{name}: not found whole after position {position}: {expected}");
            position = found + expected.Length;
        }
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task Headings_come_out_with_their_levels(string producer, string name)
    {
        var (truth, doc) = await ExtractAsync(producer, name);

        var expected = truth.GetProperty("headings").EnumerateArray()
            .Select(h => (h.GetProperty("text").GetString()!, h.GetProperty("level").GetInt32())).ToList();
        var found = doc.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => (b.Text, b.HeadingLevel)).ToList();
        Assert.Equal(expected, found);
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task Running_header_footer_and_page_numbers_are_gone_from_every_page(string producer, string name)
    {
        var (truth, doc) = await ExtractAsync(producer, name);
        var header = truth.GetProperty("running")[0].GetString()!;

        Assert.True(doc.Blocks.Max(b => b.Page) >= 2);
        Assert.DoesNotContain(doc.Blocks, b => b.Text.Contains(header, StringComparison.Ordinal));
        Assert.DoesNotContain(doc.Blocks, b => System.Text.RegularExpressions.Regex.IsMatch(b.Text, @"Page \d+ of \d+"));
    }

    [Fact]
    public async Task Chapters_land_on_the_pages_they_start_on()
    {
        // The corpus HTML starts every chapter (h2) on a new page and each fits on one page.
        var (_, doc) = await ExtractAsync("chromium", "zh-manual");

        Assert.Equal(1, doc.Blocks.Single(b => b.Text == "第一章 游戏").Page);
        Assert.Equal(2, doc.Blocks.Single(b => b.Text == "第二章 历史").Page);
        Assert.Equal(3, doc.Blocks.Single(b => b.Text == "第三章 地理").Page);
    }

    [Fact]
    public async Task Hyphens_at_line_ends_are_joined_unless_the_word_is_hyphenated_elsewhere_or_a_code()
    {
        var pdf = Fixtures.PdfFixture.TextPdf("The extrac-\ntion of the XYZ-\n123 unit: the field was re-\nsodded twice, and the re-sodded turf held.");

        var doc = await new DocumentExtractor().ExtractAsync(pdf, "hyphens.pdf", null, CancellationToken.None);

        Assert.Equal("The extraction of the XYZ-123 unit: the field was re-sodded twice, and the re-sodded turf held.", Assert.Single(doc.Blocks).Text);
    }

    [Fact]
    public async Task Outline_entries_make_headings_even_at_body_size()
    {
        var pdf = Fixtures.PdfFixture.OutlinedPdf(
            ["Warranty terms\n\nThe AB-9000 is covered for three years.\n\nClaims\n\nSend the receipt with the device.", "Returns\n\nReturns are accepted within seven days."],
            ("Warranty terms", 1, 1), ("Claims", 2, 1), ("Returns", 1, 2));

        var doc = await new DocumentExtractor().ExtractAsync(pdf, "outlined.pdf", null, CancellationToken.None);

        Assert.Equal(
            [(BlockKind.Heading, "Warranty terms", 1, 1), (BlockKind.Paragraph, "The AB-9000 is covered for three years.", 0, 1),
             (BlockKind.Heading, "Claims", 2, 1), (BlockKind.Paragraph, "Send the receipt with the device.", 0, 1),
             (BlockKind.Heading, "Returns", 1, 2), (BlockKind.Paragraph, "Returns are accepted within seven days.", 0, 2)],
            doc.Blocks.Select(b => (b.Kind, b.Text, b.HeadingLevel, b.Page ?? 0)));
    }

    private static async Task<(JsonElement Truth, ExtractedDocument Doc)> ExtractAsync(string producer, string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "pdf-corpus");
        var truth = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, name + ".json"))).RootElement;
        var pdf = await File.ReadAllBytesAsync(Path.Combine(dir, producer, name + ".pdf"));
        var doc = await new DocumentExtractor().ExtractAsync(pdf, name + ".pdf", null, CancellationToken.None);
        Assert.Equal("pdfpig", doc.Report["extraction.textLayer"]);
        return (truth, doc);
    }
}
