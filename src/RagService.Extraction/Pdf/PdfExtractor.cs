using System.Globalization;
using System.Text.RegularExpressions;
using RagService.Core.Documents;
using RagService.Extraction.Ocr;
using RagService.Extraction.Processes;
using RagService.Extraction.Text;

namespace RagService.Extraction.Pdf;

/// <summary>
/// PDF via poppler: pdfinfo (page count, encryption), pdftotext for the text layer of all pages in one run (pages
/// split at form feeds), and for each page with (almost) no text, pdftoppm rendering + tesseract OCR.
/// </summary>
public sealed partial class PdfExtractor(ExtractionOptions options, ChildProcessRunner runner, TesseractOcr ocr) : IFormatExtractor
{
    [GeneratedRegex(@"^Pages:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex PagesLine();

    [GeneratedRegex(@"^Title:\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex TitleLine();

    public SourceFormat Format => SourceFormat.Pdf;

    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken)
    {
        if (!HasEndMarker(content.Span))
            throw new ExtractionException("The PDF is truncated (no %%EOF marker at its end); upload the complete file.", ExtractionFailure.Unreadable);

        using var temp = PrivateTempDirectory.Create(options.TempDirectory);
        var pdf = await temp.WriteFileAsync("input.pdf", content, cancellationToken).ConfigureAwait(false);

        var info = await RunPopplerAsync(options.PdfInfoPath, ["-enc", "UTF-8", pdf], "pdfinfo", cancellationToken).ConfigureAwait(false);
        var pageCount = PagesLine().Match(info) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        if (pageCount == 0)
            throw new ExtractionException("The PDF has no pages.", ExtractionFailure.Unreadable);
        if (pageCount > options.MaxPdfPages)
            throw new ExtractionException($"The PDF has {pageCount} pages; the limit is {options.MaxPdfPages} (Extraction:MaxPdfPages).", ExtractionFailure.TooLarge);

        var text = await RunPopplerAsync(options.PdfToTextPath, ["-enc", "UTF-8", "-eol", "unix", pdf, "-"], "pdftotext", cancellationToken).ConfigureAwait(false);
        var pages = text.Split('\f');

        var scanned = Enumerable.Range(1, pageCount)
            .Where(n => n > pages.Length || CountNonWhitespace(pages[n - 1]) < options.MinPdfPageTextChars)
            .ToList();
        if (scanned.Count > options.MaxOcrPages)
            throw new ExtractionException($"The PDF has {scanned.Count} pages without a text layer; at most {options.MaxOcrPages} are OCRed (Extraction:MaxOcrPages).", ExtractionFailure.TooLarge);

        var blocks = new List<DocumentBlock>();
        for (var n = 1; n <= pageCount; n++)
        {
            var pageText = scanned.Contains(n)
                ? await OcrPageAsync(pdf, n, temp, cancellationToken).ConfigureAwait(false)
                : pages[n - 1];
            blocks.AddRange(ParagraphSplitter.Split(pageText, joinLines: true, page: n));
        }

        var title = TitleLine().Match(info) is { Success: true } t ? t.Groups[1].Value.Trim() : null;
        return new ExtractedDocument(string.IsNullOrEmpty(title) ? null : title, blocks, "pdf");
    }

    private async Task<string> OcrPageAsync(string pdf, int page, PrivateTempDirectory temp, CancellationToken cancellationToken)
    {
        var prefix = Path.Combine(temp.Path, $"page-{page}");
        var n = page.ToString(CultureInfo.InvariantCulture);
        var render = await runner.RunAsync(
            options.PdfToPpmPath,
            ["-r", options.OcrDpi.ToString(CultureInfo.InvariantCulture), "-f", n, "-l", n, "-gray", "-png", "-singlefile", pdf, prefix],
            options.OcrTimeoutPerPage, $"Rendering page {page} for OCR (pdftoppm)", nameof(options.OcrTimeoutPerPage), cancellationToken).ConfigureAwait(false);
        if (render.ExitCode != 0)
            throw new ExtractionException($"Page {page} of the PDF could not be rendered for OCR: {render.StandardError.Trim()}", ExtractionFailure.Unreadable);
        try
        {
            return await ocr.RecognizeAsync(prefix + ".png", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(prefix + ".png");
        }
    }

    private async Task<string> RunPopplerAsync(string tool, string[] arguments, string what, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(tool, arguments, options.PdfTimeout, what, nameof(options.PdfTimeout), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 0)
            return result.StandardOutput;
        var error = result.StandardError;
        if (error.Contains("password", StringComparison.OrdinalIgnoreCase) || error.Contains("encrypt", StringComparison.OrdinalIgnoreCase))
            throw new ExtractionException("The PDF is encrypted (password protected); upload a copy without a password.", ExtractionFailure.Unreadable);
        if (result.ExitCode == 3)
            throw new ExtractionException("The PDF's permissions forbid copying its text; upload a copy without restrictions.", ExtractionFailure.Unreadable);
        var reason = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {result.ExitCode}";
        throw new ExtractionException($"The PDF is damaged and cannot be read ({what}: {reason}).", ExtractionFailure.Unreadable);
    }

    // Writers end a PDF with %%EOF (possibly followed by a line break or a little padding); a cut-off upload has none.
    private static bool HasEndMarker(ReadOnlySpan<byte> content) =>
        content[Math.Max(0, content.Length - 2048)..].LastIndexOf("%%EOF"u8) >= 0;

    private static int CountNonWhitespace(string text) => text.Count(c => !char.IsWhiteSpace(c));
}
