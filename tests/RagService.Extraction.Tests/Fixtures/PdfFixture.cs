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
            AddTextPage(doc, text, XSize(595, 842), fontSize: 12);
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
            foreach (var (run, isCjk) in ScriptRuns(line))
            {
                var font = isCjk ? cjk : latin;
                gfx.DrawString(run, font, XBrushes.Black, new XPoint(x, y));
                x += gfx.MeasureString(run, font).Width;
            }
            y += fontSize * 1.5;
        }
    }

    private static IEnumerable<(string Run, bool IsCjk)> ScriptRuns(string line)
    {
        var start = 0;
        for (var i = 1; i <= line.Length; i++)
        {
            if (i == line.Length || IsCjk(line[i]) != IsCjk(line[start]))
            {
                yield return (line[start..i], IsCjk(line[start]));
                start = i;
            }
        }
    }

    private static bool IsCjk(char c) => c >= 0x2E80;

    private static byte[] Build(Action<PdfDocument> fill)
    {
        EnsureFonts();
        using var doc = new PdfDocument();
        fill(doc);
        using var ms = new MemoryStream();
        doc.Save(ms, closeStream: false);
        return ms.ToArray();
    }

    private static void EnsureFonts()
    {
        lock (FontLock)
        {
            foreach (var file in new[] { CjkFontFile, LatinFontFile })
                Assert.True(File.Exists(file), $"{file} is missing: run deploy/setup.sh (installs fonts-droid-fallback and fonts-dejavu-core for the test fixtures).");
            if (GlobalFontSettings.FontResolver is not FixtureFontResolver)
            {
                // PDFsharp 6.5 refuses to work until a license is chosen; it is used only to build test fixtures.
                PdfSharp.PdfSharpLicense.SetAgplLicense();
                GlobalFontSettings.FontResolver = new FixtureFontResolver();
            }
        }
    }

    private sealed class FixtureFontResolver : IFontResolver
    {
        public const string CjkFamily = "Fixture CJK";
        public const string LatinFamily = "Fixture Latin";

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
            new(familyName == CjkFamily ? "cjk" : "latin");

        public byte[]? GetFont(string faceName) => File.ReadAllBytes(faceName == "cjk" ? CjkFontFile : LatinFontFile);
    }
}
