using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Pdf.Bench;

/// <summary>
/// Writes a corpus document with PDFsharp: A4, headings larger and bold, paragraphs wrapped at the right margin
/// (Latin at spaces, CJK anywhere), a running header and a "Page N of M" footer on every page. Droid Sans Fallback
/// draws CJK runs, DejaVu Sans the Latin runs (both installed by deploy/setup.sh).
/// </summary>
internal static class PdfSharpProducer
{
    private const string CjkFile = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";
    private const string LatinFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    private const string LatinBoldFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
    private const double Width = 595, Height = 842, Margin = 60, BodySize = 11;

    public static byte[] Write(CorpusDocument document)
    {
        if (GlobalFontSettings.FontResolver is not Resolver)
        {
            PdfSharp.PdfSharpLicense.SetAgplLicense();
            GlobalFontSettings.FontResolver = new Resolver();
        }

        using var pdf = new PdfDocument();
        pdf.Info.Title = document.Title;
        var pages = new List<PdfPage>();
        XGraphics? gfx = null;
        var y = double.MaxValue;

        void NewPage()
        {
            gfx?.Dispose();
            var page = pdf.AddPage();
            page.Width = XUnit.FromPoint(Width);
            page.Height = XUnit.FromPoint(Height);
            pages.Add(page);
            gfx = XGraphics.FromPdfPage(page);
            y = Margin + 20;
        }

        foreach (var (text, level) in document.Blocks())
        {
            var size = level switch { 1 => 22, 2 => 16, 3 => 13, _ => BodySize };
            var bold = level > 0;
            if (level is 1 or 2 && y > Margin + 20)
            {
                y = double.MaxValue; // chapters start on a new page, as in the HTML
            }

            y += level > 0 ? size * 0.8 : size * 0.4;
            foreach (var line in Wrap(text, size, bold))
            {
                if (y + size * 1.5 > Height - Margin)
                {
                    NewPage();
                }

                DrawRuns(gfx!, line, size, bold, Margin, y);
                y += size * 1.5;
            }
        }

        gfx?.Dispose();
        for (var i = 0; i < pages.Count; i++)
        {
            using var g = XGraphics.FromPdfPage(pages[i], XGraphicsPdfPageOptions.Append);
            DrawRuns(g, document.Running[0], 9, false, Margin, 30);
            DrawRuns(g, $"Page {i + 1} of {pages.Count}", 9, false, Width / 2 - 25, Height - 30);
        }

        using var ms = new MemoryStream();
        pdf.Save(ms, closeStream: false);
        return ms.ToArray();
    }

    private static IEnumerable<string> Wrap(string text, double size, bool bold)
    {
        var measure = XGraphics.CreateMeasureContext(new XSize(Width, Height), XGraphicsUnit.Point, XPageDirection.Downwards);
        var line = "";
        var i = 0;
        while (i < text.Length)
        {
            // The next unit: one CJK character, or a Latin word with its trailing space.
            var end = i + 1;
            if (!IsCjk(text[i]))
            {
                while (end < text.Length && !IsCjk(text[end]) && text[end - 1] != ' ')
                {
                    end++;
                }
            }

            var unit = text[i..end];
            if (line.Length > 0 && Measure(measure, (line + unit).TrimEnd(), size, bold) > Width - 2 * Margin)
            {
                yield return line.TrimEnd();
                line = unit.TrimStart();
            }
            else
            {
                line += unit;
            }

            i = end;
        }

        if (line.Trim().Length > 0)
        {
            yield return line.TrimEnd();
        }
    }

    private static double Measure(XGraphics g, string text, double size, bool bold) =>
        Runs(text).Sum(r => g.MeasureString(r.Text, Font(r.Cjk, size, bold)).Width);

    private static void DrawRuns(XGraphics g, string text, double size, bool bold, double x, double y)
    {
        foreach (var (run, cjk) in Runs(text))
        {
            var font = Font(cjk, size, bold);
            g.DrawString(run, font, XBrushes.Black, new XPoint(x, y));
            x += g.MeasureString(run, font).Width;
        }
    }

    private static XFont Font(bool cjk, double size, bool bold) =>
        new(cjk ? "cjk" : "latin", size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular);

    private static IEnumerable<(string Text, bool Cjk)> Runs(string line) => ScriptRuns.Of(line);

    private static bool IsCjk(char c) => ScriptRuns.IsCjk(c);

    private sealed class Resolver : IFontResolver
    {
        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            familyName == "cjk" ? new FontResolverInfo("cjk", bold, false) : new FontResolverInfo(bold ? "latin-bold" : "latin");

        public byte[]? GetFont(string faceName) =>
            File.ReadAllBytes(faceName switch { "cjk" => CjkFile, "latin-bold" => LatinBoldFile, _ => LatinFile });
    }
}
