using System.Text;
using RagService.Extraction.Pdf;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Extraction.Tests.Fidelity;

/// <summary>
/// A font without a ToUnicode map whose codes PdfPig cannot map with confidence (flagged symbolic, or an encoding that
/// names glyphs with no Unicode meaning) earns a warning naming the page and the font; a font with a ToUnicode map,
/// and ordinary fonts, do not.
/// </summary>
public sealed class SymbolFontWarningTests
{
    private const string Body = "The pump delivers forty litres per minute at full load.";

    /// <summary>
    /// Two Helvetica pages; page 2 also draws "abc" in font <c>F2</c>, whose dictionary the case writes. The font program
    /// is not embedded: the check reads the font dictionaries, not the glyphs.
    /// </summary>
    private static byte[] PdfWithSecondFont(string fontDictionary, string fontDescriptor)
    {
        var pdf = new PdfWriter();
        pdf.Object("<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object("<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>");
        pdf.Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 300] /Resources << /Font << /F1 7 0 R >> >> /Contents 4 0 R >>");
        pdf.Stream("", Encoding.ASCII.GetBytes($"BT /F1 12 Tf 40 250 Td ({Body}) Tj ET"));
        pdf.Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 300] /Resources << /Font << /F1 7 0 R /F2 8 0 R >> >> /Contents 6 0 R >>");
        pdf.Stream("", Encoding.ASCII.GetBytes($"BT /F1 12 Tf 40 250 Td ({Body}) Tj ET BT /F2 12 Tf 40 200 Td (abc) Tj ET"));
        pdf.Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        pdf.Object(fontDictionary);
        pdf.Object(fontDescriptor);
        return pdf.EndWithTable();
    }

    private const string Widths = "/FirstChar 97 /LastChar 99 /Widths [600 600 600]";

    public static TheoryData<string, string, string, string> Unmapped() => new()
    {
        {
            "symbolic TrueType",
            $"<< /Type /Font /Subtype /TrueType /BaseFont /MathPi {Widths} /FontDescriptor 9 0 R >>",
            "<< /Type /FontDescriptor /FontName /MathPi /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>",
            "font MathPi has no ToUnicode map and is flagged symbolic"
        },
        {
            "glyph names without a Unicode meaning",
            $"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Oblique {Widths} /Encoding << /Type /Encoding /Differences [97 /g17 /g18 /g19] >> >>",
            "<< /Unused true >>",
            "font Helvetica-Oblique has no ToUnicode map and its encoding names glyphs without a Unicode meaning (/g17)"
        },
    };

    [Theory]
    [MemberData(nameof(Unmapped))]
    public async Task An_unmapped_font_that_supplies_glyphs_is_flagged_with_its_page(string what, string font, string descriptor, string expected)
    {
        var doc = await new DocumentExtractor().ExtractAsync(PdfWithSecondFont(font, descriptor), "fonts.pdf", null, CancellationToken.None);

        Assert.Equal("pdfpig", doc.Report[PdfExtractor.TextLayerKey]);
        var warning = Assert.Single(doc.Warnings);
        Assert.StartsWith("page 2: " + expected, warning);
        Assert.Contains("its 3 glyphs may be read as the wrong characters", warning);
        Assert.Contains(expected, doc.Report[PdfExtractor.WarningsKey]);
        Assert.Contains(Body, doc.FullText); // a warning, not a refusal: the text is kept
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public async Task A_symbolic_font_that_draws_nothing_and_the_standard_symbol_font_are_not_flagged()
    {
        // Page 2 draws "abc" with the standard Symbol font (published encoding); MathPi is listed on page 2 but unused.
        var pdf = PdfWithSecondFont("<< /Type /Font /Subtype /Type1 /BaseFont /Symbol >>", "<< /Unused true >>");
        var unused = PdfWithSecondFont(
            $"<< /Type /Font /Subtype /TrueType /BaseFont /MathPi {Widths} /FontDescriptor 9 0 R >>",
            "<< /Type /FontDescriptor /FontName /MathPi /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>")
            .AsSpan().ToArray();
        var withoutGlyphs = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(unused).Replace("/F2 12 Tf 40 200 Td (abc) Tj", "/F2 12 Tf 40 200 Td () Tj"));

        var symbol = await new DocumentExtractor().ExtractAsync(pdf, "symbol.pdf", null, CancellationToken.None);
        var nothingDrawn = await new DocumentExtractor().ExtractAsync(withoutGlyphs, "unused.pdf", null, CancellationToken.None);

        Assert.Empty(symbol.Warnings);
        Assert.Equal("pdfpig", nothingDrawn.Report[PdfExtractor.TextLayerKey]);
        Assert.Empty(nothingDrawn.Warnings);
    }

    [Fact]
    public async Task Fonts_with_a_ToUnicode_map_are_not_flagged()
    {
        // The symbols case draws ∈ ℝ ≥ ∑ π ∫ ∞ through a font PDFsharp embeds with a ToUnicode map.
        foreach (var fidelityCase in FidelityCorpus.All())
        {
            var doc = await new DocumentExtractor().ExtractAsync(fidelityCase.Pdf, fidelityCase.Name + ".pdf", null, CancellationToken.None);

            Assert.Equal("pdfpig", doc.Report[PdfExtractor.TextLayerKey]);
            Assert.Empty(doc.Warnings);
        }
    }
}
