using System.Diagnostics;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace RagService.Extraction.Tests.Fixtures;

/// <summary>
/// Builds PDFs (and a PNG rendered from one) with PDFsharp. Droid Sans Fallback draws the Chinese runs and DejaVu Sans
/// the Latin runs of each line (deploy/setup.sh installs both font packages).
/// </summary>
internal static class PdfFixture
{
    private static readonly Lock FontLock = new();

    private const int ScanDpi = 150;

    public const string CjkFontFile = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";
    public const string LatinFontFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// <summary>Page texts: one entry per page, lines separated by \n; a blank line separates paragraphs.</summary>
    public static byte[] TextPdf(params string[] pages) => Build(doc =>
    {
        foreach (var text in pages)
        {
            AddTextPage(doc, text, XSize(595, 842), fontSize: 12);
        }
    });

    /// <summary>Text pages (all lines in one font and size) with an outline: (title, level, 1-based page) entries, nested by level.</summary>
    public static byte[] OutlinedPdf(string[] pages, params (string Title, int Level, int Page)[] outline) => Build(doc =>
    {
        foreach (var text in pages)
        {
            AddTextPage(doc, text, XSize(595, 842), fontSize: 12);
        }

        var parents = new List<PdfSharp.Pdf.PdfOutline>();
        foreach (var (title, level, page) in outline)
        {
            var entries = level == 1 ? doc.Outlines : parents[level - 2].Outlines;
            var entry = entries.Add(title, doc.Pages[page - 1], true);
            parents.RemoveRange(level - 1, parents.Count - (level - 1));
            parents.Add(entry);
        }
    });

    /// <summary>A PDF whose pages are text pages, except for null entries, which become a page holding only <paramref name="scan"/>.</summary>
    public static byte[] MixedPdf(byte[] scan, params string?[] pages) => Build(doc =>
    {
        foreach (var text in pages)
        {
            if (text is not null)
            {
                AddTextPage(doc, text, XSize(595, 842), fontSize: 12);
                continue;
            }
            var page = doc.AddPage();
            page.Width = PdfSharp.Drawing.XUnit.FromPoint(595);
            page.Height = PdfSharp.Drawing.XUnit.FromPoint(300);
            using var gfx = XGraphics.FromPdfPage(page);
            using var image = XImage.FromStream(new MemoryStream(scan));
            // At its natural size (the PNG is rendered at ScanDpi), as a scanner would place it.
            gfx.DrawImage(image, 0, 0, image.PixelWidth * 72.0 / ScanDpi, image.PixelHeight * 72.0 / ScanDpi);
        }
    });

    public static byte[] EncryptedPdf(string text) => Build(doc =>
    {
        AddTextPage(doc, text, XSize(595, 842), fontSize: 12);
        doc.SecuritySettings.UserPassword = "user-secret";
        doc.SecuritySettings.OwnerPassword = "owner-secret";
    });

    /// <summary>
    /// A one-page PDF written by hand that PdfPig rejects and poppler reads: <paramref name="text"/> in Helvetica, plus one
    /// character in a Type0 font without its DescendantFonts (PdfPig throws InvalidFontFormatException; poppler skips it).
    /// </summary>
    public static byte[] PdfPigRejects(string text) => HandWritten(text,
        catalogExtra: "",
        extraFont: "<< /Type /Font /Subtype /Type0 /BaseFont /Broken /Encoding /Identity-H >>");

    /// <summary>A one-page PDF whose catalog holds arrays nested <paramref name="depth"/> deep (a parser that recurses per level overflows its stack).</summary>
    public static byte[] DeeplyNested(string text, int depth) => HandWritten(text,
        catalogExtra: $"/Deep {new string('[', depth)}{new string(']', depth)}",
        extraFont: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");

    /// <summary>A PDF written by hand: one page showing <paramref name="text"/> in Helvetica (F1) and "x" in <paramref name="extraFont"/> (F2).</summary>
    private static byte[] HandWritten(string text, string catalogExtra, string extraFont)
    {
        var content = $"BT /F1 12 Tf 72 720 Td ({text}) Tj ET BT /F2 12 Tf 72 700 Td (x) Tj ET";
        string[] objects =
        [
            $"<< /Type /Catalog /Pages 2 0 R {catalogExtra} >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            extraFont,
        ];
        var pdf = new System.Text.StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append($"{offset:D10} 00000 n \n");
        }

        pdf.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return System.Text.Encoding.ASCII.GetBytes(pdf.ToString());
    }

    /// <summary>A PNG of large black-on-white text, rendered with pdftoppm from a PDFsharp page (like a scan).</summary>
    public static byte[] TextPng(string text)
    {
        var pdf = Build(doc => AddTextPage(doc, text, XSize(595, 160), fontSize: 16));
        var dir = Directory.CreateTempSubdirectory("rag-fixture-");
        try
        {
            var pdfPath = Path.Combine(dir.FullName, "in.pdf");
            File.WriteAllBytes(pdfPath, pdf);
            var psi = new ProcessStartInfo("pdftoppm", ["-r", ScanDpi.ToString(), "-gray", "-png", "-singlefile", pdfPath, Path.Combine(dir.FullName, "out")]);
            using var p = Process.Start(psi)!;
            p.WaitForExit(60_000);
            Assert.Equal(0, p.ExitCode);
            return File.ReadAllBytes(Path.Combine(dir.FullName, "out.png"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static (double W, double H) XSize(double w, double h) => (w, h);

    private static void AddTextPage(PdfDocument doc, string text, (double W, double H) size, double fontSize)
    {
        var page = doc.AddPage();
        page.Width = PdfSharp.Drawing.XUnit.FromPoint(size.W);
        page.Height = PdfSharp.Drawing.XUnit.FromPoint(size.H);
        using var gfx = XGraphics.FromPdfPage(page);
        var cjk = new XFont(FixtureFontResolver.CjkFamily, fontSize);
        var latin = new XFont(FixtureFontResolver.LatinFamily, fontSize);
        var y = 40.0;
        foreach (var line in text.Split('\n'))
        {
            var x = 40.0;
            foreach (var (run, isCjk) in ScriptRuns.Of(line))
            {
                var font = isCjk ? cjk : latin;
                gfx.DrawString(run, font, XBrushes.Black, new XPoint(x, y));
                x += gfx.MeasureString(run, font).Width;
            }
            y += fontSize * 1.5;
        }
    }

    private static byte[] Build(Action<PdfDocument> fill)
    {
        EnsureFonts();
        using var doc = new PdfDocument();
        fill(doc);
        using var ms = new MemoryStream();
        doc.Save(ms, closeStream: false);
        return ms.ToArray();
    }

    /// <summary>Installs the fixture font resolver (once per process: PDFsharp's resolver is global).</summary>
    internal static void EnsureFonts()
    {
        lock (FontLock)
        {
            foreach (var file in new[] { CjkFontFile, LatinFontFile })
            {
                Assert.True(File.Exists(file), $"{file} is missing: run deploy/setup.sh (installs fonts-droid-fallback and fonts-dejavu-core for the test fixtures).");
            }

            if (GlobalFontSettings.FontResolver is not FixtureFontResolver)
            {
                // PDFsharp 6.5 refuses to work until a license is chosen; it is used only to build test fixtures.
                PdfSharp.PdfSharpLicense.SetAgplLicense();
                GlobalFontSettings.FontResolver = new FixtureFontResolver();
            }
        }
    }

    /// <summary>The family that DejaVu Sans draws.</summary>
    internal const string LatinFamily = FixtureFontResolver.LatinFamily;

    private sealed class FixtureFontResolver : IFontResolver
    {
        public const string CjkFamily = "Fixture CJK";
        public const string LatinFamily = "Fixture Latin";

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(familyName == CjkFamily ? "cjk" : "latin");

        public byte[]? GetFont(string faceName) => File.ReadAllBytes(faceName == "cjk" ? CjkFontFile : LatinFontFile);
    }
}
