using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace RagService.Extraction.Tests.Fidelity;

/// <summary>One fidelity case: a PDF written with PDFsharp and the text a reader should get from it.</summary>
public sealed record FidelityCase(string Name, string KnownText, byte[] Pdf);

/// <summary>
/// PDFs whose text is known, each drawn the way real producers draw a hard layout: words placed one by one (no space
/// glyphs, as justified TJ arrays), headings made bold by drawing the text twice a fraction of a point apart, accents
/// as combining marks or as spacing accents set over their letter, columns side by side. DejaVu Sans draws everything
/// (PDFsharp embeds it as a subset with a ToUnicode map).
/// </summary>
internal static class FidelityCorpus
{
    private const double PageWidth = 595, PageHeight = 842, Margin = 50;

    public static IEnumerable<FidelityCase> All() => [TwoColumns(), Justified(), BoldByOverdraw(), Diacritics(), Symbols()];

    public static FidelityCase Named(string name) => All().Single(c => c.Name == name);

    private const string ColumnLeft =
        "Sediment cores from the northern basin record a slow warming over four centuries, interrupted by two abrupt " +
        "cold intervals that coincide with large volcanic eruptions. The pollen assemblages change accordingly, with " +
        "birch and pine retreating while grasses spread across the exposed shoreline terraces.";

    private const string ColumnRight =
        "Radiocarbon dates from charcoal layers constrain the chronology to within a few decades, which allows the " +
        "cold intervals to be matched against ice core sulphate peaks. Both intervals lasted less than a generation " +
        "but left a lasting mark on settlement patterns along the river valleys.";

    /// <summary>A full-width title, then two justified columns 9 pt apart (body 10 pt), then a full-width note.</summary>
    private static FidelityCase TwoColumns()
    {
        const string title = "Climate history of the northern basin";
        const string note = "Samples are archived at the regional museum and can be requested for further study.";
        var pdf = Build(doc =>
        {
            var (gfx, font) = NewPage(doc, 10);
            using var _ = gfx;
            var y = Margin + 20;
            DrawWords(gfx, font, Split(title), Margin, y, null);
            y += 30;
            const double gutter = 9;
            var column = (PageWidth - 2 * Margin - gutter) / 2;
            var left = Wrap(gfx, font, ColumnLeft, column);
            var right = Wrap(gfx, font, ColumnRight, column);
            for (var i = 0; i < Math.Max(left.Count, right.Count); i++)
            {
                if (i < left.Count)
                {
                    DrawWords(gfx, font, left[i], Margin, y + i * 13, i < left.Count - 1 ? column : null);
                }

                if (i < right.Count)
                {
                    DrawWords(gfx, font, right[i], Margin + column + gutter, y + i * 13, i < right.Count - 1 ? column : null);
                }
            }

            y += Math.Max(left.Count, right.Count) * 13 + 20;
            DrawWords(gfx, font, Split(note), Margin, y, null);
        });
        return new FidelityCase("two-columns", string.Join(" ", title, ColumnLeft, ColumnRight, note), pdf);
    }

    private const string JustifiedText =
        "The committee reviewed every proposal received before the spring deadline and ranked them by expected benefit " +
        "to the community, cost of maintenance over ten years, and the number of residents who would use the facility " +
        "each week. Three proposals stood out clearly: a covered market hall near the station, a footbridge linking the " +
        "two halves of the old town, and a library annex with longer opening hours for students preparing examinations.";

    /// <summary>
    /// A justified paragraph whose lines alternate between loose (stretched to the measure) and tight (set with word
    /// gaps of 0.08 em, as a justifier shrinks a line to fit one more word): the word gaps differ from line to line.
    /// </summary>
    private static FidelityCase Justified()
    {
        var pdf = Build(doc =>
        {
            var (gfx, font) = NewPage(doc, 11);
            using var _ = gfx;
            var lines = Wrap(gfx, font, JustifiedText, 300);
            for (var i = 0; i < lines.Count; i++)
            {
                var y = Margin + 20 + i * 15;
                if (i % 2 == 1)
                {
                    DrawWords(gfx, font, lines[i], Margin, y, null, gap: 0.08 * font.Size);
                }
                else
                {
                    DrawWords(gfx, font, lines[i], Margin, y, i < lines.Count - 1 ? 300 : null);
                }
            }
        });
        return new FidelityCase("justified", JustifiedText, pdf);
    }

    /// <summary>Headings made bold by drawing them twice 0.4 pt apart (as word processors fake bold); body text once.</summary>
    private static FidelityCase BoldByOverdraw()
    {
        string[] headings = ["Installation guide", "Connecting the sensor"];
        string[] bodies =
        [
            "Unpack the unit and check that the mounting bracket, four screws and the power adapter are in the box.",
            "Plug the sensor cable into the port marked A and wait until the green light stops blinking.",
        ];
        var pdf = Build(doc =>
        {
            var (gfx, font) = NewPage(doc, 11);
            using var _ = gfx;
            var heading = new XFont(FontFamily, 16);
            var y = Margin + 20;
            for (var i = 0; i < headings.Length; i++)
            {
                DrawWords(gfx, heading, Split(headings[i]), Margin, y, null);
                DrawWords(gfx, heading, Split(headings[i]), Margin + 0.4, y, null);
                y += 28;
                foreach (var line in Wrap(gfx, font, bodies[i], 450))
                {
                    DrawWords(gfx, font, line, Margin, y, null);
                    y += 15;
                }

                y += 15;
            }
        });
        return new FidelityCase("bold-overdraw", string.Join(" ", headings[0], bodies[0], headings[1], bodies[1]), pdf);
    }

    private const string French = "Le théâtre où nous étions reçus présentait une pièce très appréciée, créée à Noël par une troupe française.";
    private const string Vietnamese = "Tiếng Việt có nhiều dấu thanh: người dân ở Hà Nội và Huế đều nói được những câu chuyện rất đặc biệt.";

    /// <summary>
    /// French and Vietnamese lines written decomposed (a base letter, then its combining marks, as some producers map
    /// glyphs), then the French line again with spacing accents (´ ` ^) set over their letters, as TeX fonts without
    /// precomposed accented glyphs draw them.
    /// </summary>
    private static FidelityCase Diacritics()
    {
        var pdf = Build(doc =>
        {
            var (gfx, font) = NewPage(doc, 11);
            using var _ = gfx;
            var y = Margin + 20;
            y = DrawParagraph(gfx, font, French.Normalize(NormalizationForm.FormD), y, DrawWords) + 10;
            y = DrawParagraph(gfx, font, Vietnamese.Normalize(NormalizationForm.FormD), y, DrawWords) + 10;
            DrawParagraph(gfx, font, French, y, DrawWithSpacingAccents);
        });
        return new FidelityCase("diacritics", string.Join(" ", French, Vietnamese, French), pdf);
    }

    private const string SymbolText = "For every x ∈ ℝ we have x² ≥ 0, and ∑ 1/n² = π²/6 while ∫ e⁻ˣ dx over [0, ∞) equals 1; α ≤ β ⇒ ¬(β < α).";

    /// <summary>Math symbols from the font's symbol range, mapped through the ToUnicode table PDFsharp writes.</summary>
    private static FidelityCase Symbols()
    {
        var pdf = Build(doc =>
        {
            var (gfx, font) = NewPage(doc, 11);
            using var _ = gfx;
            DrawParagraph(gfx, font, SymbolText, Margin + 20, DrawWords);
        });
        return new FidelityCase("symbols", SymbolText, pdf);
    }

    private static List<string> Split(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static List<List<string>> Wrap(XGraphics gfx, XFont font, string text, double width)
    {
        var space = gfx.MeasureString(" ", font).Width;
        var lines = new List<List<string>> { new() };
        var used = 0.0;
        foreach (var word in Split(text))
        {
            var w = gfx.MeasureString(word, font).Width;
            if (lines[^1].Count > 0 && used + space + w > width)
            {
                lines.Add([]);
                used = 0;
            }

            used += (lines[^1].Count > 0 ? space : 0) + w;
            lines[^1].Add(word);
        }

        return lines;
    }

    /// <summary>Draws a paragraph left-aligned in lines of at most 480 pt, 15 pt apart; returns the next line's position.</summary>
    private static double DrawParagraph(XGraphics gfx, XFont font, string text, double y, Action<XGraphics, XFont, List<string>, double, double> draw)
    {
        foreach (var line in Wrap(gfx, font, text, 480))
        {
            draw(gfx, font, line, Margin, y);
            y += 15;
        }

        return y;
    }

    private static void DrawWords(XGraphics gfx, XFont font, List<string> words, double x, double y) => DrawWords(gfx, font, words, x, y, null);

    /// <summary>Draws words one by one: stretched to <paramref name="justifyTo"/> when given, else a fixed gap (a space by default).</summary>
    private static void DrawWords(XGraphics gfx, XFont font, List<string> words, double x, double y, double? justifyTo, double? gap = null)
    {
        var widths = words.Select(w => gfx.MeasureString(w, font).Width).ToList();
        var step = gap ?? gfx.MeasureString(" ", font).Width;
        if (justifyTo is { } measure && words.Count > 1)
        {
            step = (measure - widths.Sum()) / (words.Count - 1);
        }

        for (var i = 0; i < words.Count; i++)
        {
            gfx.DrawString(words[i], font, XBrushes.Black, new XPoint(x, y));
            x += widths[i] + step;
        }
    }

    private static readonly Dictionary<char, char> SpacingAccents = new() { ['\u0301'] = '\u00B4', ['\u0300'] = '`', ['\u0302'] = '^' };

    /// <summary>Draws each letter; a letter with an acute, grave or circumflex is drawn bare with the spacing accent centred over it.</summary>
    private static void DrawWithSpacingAccents(XGraphics gfx, XFont font, List<string> words, double x, double y)
    {
        var space = gfx.MeasureString(" ", font).Width;
        foreach (var word in words)
        {
            foreach (var ch in word)
            {
                var parts = ch.ToString().Normalize(NormalizationForm.FormD);
                if (parts.Length == 2 && SpacingAccents.TryGetValue(parts[1], out var accent))
                {
                    var baseWidth = gfx.MeasureString(parts[0].ToString(), font).Width;
                    var accentWidth = gfx.MeasureString(accent.ToString(), font).Width;
                    gfx.DrawString(parts[0].ToString(), font, XBrushes.Black, new XPoint(x, y));
                    gfx.DrawString(accent.ToString(), font, XBrushes.Black, new XPoint(x + (baseWidth - accentWidth) / 2, y - font.Size * 0.2));
                    x += baseWidth;
                }
                else
                {
                    gfx.DrawString(ch.ToString(), font, XBrushes.Black, new XPoint(x, y));
                    x += gfx.MeasureString(ch.ToString(), font).Width;
                }
            }

            x += space;
        }
    }

    private const string FontFamily = Fixtures.PdfFixture.LatinFamily;

    private static (XGraphics Gfx, XFont Font) NewPage(PdfDocument doc, double size)
    {
        var page = doc.AddPage();
        page.Width = XUnit.FromPoint(PageWidth);
        page.Height = XUnit.FromPoint(PageHeight);
        return (XGraphics.FromPdfPage(page), new XFont(FontFamily, size));
    }

    private static byte[] Build(Action<PdfDocument> fill)
    {
        Fixtures.PdfFixture.EnsureFonts();
        using var doc = new PdfDocument();
        fill(doc);
        using var ms = new MemoryStream();
        doc.Save(ms, closeStream: false);
        return ms.ToArray();
    }
}
