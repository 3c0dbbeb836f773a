using System.Globalization;
using RagService.Core.Documents;
using RagService.Extraction.Ocr;
using RagService.Extraction.Processes;
using RagService.Extraction.Text;

namespace RagService.Extraction.Pdf;

/// <summary>
/// PDF: the text layer from PdfPig in process (layout, headings, running headers/footers removed), or from poppler when
/// PdfPig rejects the file (reason in the report, "extraction.fallbackReason") or when
/// <see cref="ExtractionOptions.PdfTextLayer"/> says so; then each page with (almost) no text is rendered with
/// pdftoppm and OCRed with tesseract.
/// </summary>
public sealed class PdfExtractor(ExtractionOptions options, ChildProcessRunner runner, TesseractOcr ocr) : IFormatExtractor
{
    public const string TextLayerKey = "extraction.textLayer";
    public const string FallbackReasonKey = "extraction.fallbackReason";
    public const string OcrPagesKey = "extraction.ocrPages";
    public const string WarningsKey = "extraction.warnings";

    public SourceFormat Format => SourceFormat.Pdf;

    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken)
    {
        if (!HasEndMarker(content.Span))
        {
            throw new ExtractionException("The PDF is truncated (no %%EOF marker at its end); upload the complete file.", ExtractionFailure.Unreadable);
        }

        // The child processes (poppler, OCR) read a file; PdfPig reads the bytes, so a PDF it reads whole needs no file.
        using var input = new PdfInputFile(content, options.TempDirectory);
        var report = new Dictionary<string, string>();

        var pages = new List<PageText>();
        string? title;
        var pig = options.PdfTextLayer == PdfTextLayer.PdfPig
            ? await new PdfPigTextLayer(options).ReadAsync(content, cancellationToken).ConfigureAwait(false)
            : null;
        if (pig is { RejectedBecause: null } && TextLayerJudge.WhyUnreadable(AllText(pig), options.MaxUnreadableCharShare) is { } pigUnreadable)
        {
            pig = PdfPigResult.Rejected($"PdfPig's text is unreadable: {pigUnreadable}");
        }

        if (pig is { RejectedBecause: null })
        {
            report[TextLayerKey] = "pdfpig";
            var kept = RunningTextFilter.Apply(pig.Pages);
            var blocks = Hyphenation.Resolve(HeadingDetector.ToBlocks(kept, pig.Outline));
            pages.AddRange(pig.Pages.Select(p => new PageText(p.Number, p.TextChars, blocks.Where(b => b.Page == p.Number).ToList())));
            title = pig.Title;
        }
        else
        {
            report[TextLayerKey] = "poppler";
            if (pig?.RejectedBecause is { } reason)
            {
                report[FallbackReasonKey] = reason;
            }

            var pdf = await input.PathAsync(cancellationToken).ConfigureAwait(false);
            var poppler = await new PopplerTextLayer(options, runner).ReadAsync(pdf, cancellationToken).ConfigureAwait(false);
            for (var n = 1; n <= poppler.PageCount; n++)
            {
                var text = n <= poppler.Pages.Count ? poppler.Pages[n - 1] : "";
                pages.Add(new PageText(n, CountNonWhitespace(text), ParagraphSplitter.Split(text, joinLines: true, page: n).ToList()));
            }

            title = poppler.Title;
        }

        var scanned = pages.Where(p => p.TextChars < options.MinPdfPageTextChars).Select(p => p.Number).ToList();
        if (scanned.Count > options.MaxOcrPages)
        {
            throw new ExtractionException($"The PDF has {scanned.Count} pages without a text layer; at most {options.MaxOcrPages} are OCRed (Extraction:MaxOcrPages).", ExtractionFailure.TooLarge);
        }

        // A page whose text layer does not read as text goes to OCR as well, within the same page budget.
        var garbled = pages.Where(p => !scanned.Contains(p.Number))
            .Select(p => (p.Number, Why: TextLayerJudge.WhyUnreadable(string.Join("\n", p.Blocks.Select(b => b.Text)), options.MaxUnreadableCharShare)))
            .Where(p => p.Why is not null)
            .ToDictionary(p => p.Number, p => p.Why!);
        if (scanned.Count + garbled.Count > options.MaxOcrPages)
        {
            var (page, why) = garbled.First();
            throw new ExtractionException($"The text layer of {garbled.Count} pages of the PDF is unreadable (page {page}: {why}); OCR of {scanned.Count + garbled.Count} pages is more than Extraction:MaxOcrPages ({options.MaxOcrPages}).", ExtractionFailure.Unreadable);
        }

        var ocrPages = scanned.Concat(garbled.Keys).Order().ToList();
        if (ocrPages.Count > 0)
        {
            report[OcrPagesKey] = string.Join(',', ocrPages);
        }

        var warnings = new List<string>();
        var result = new List<DocumentBlock>();
        foreach (var page in pages)
        {
            if (!ocrPages.Contains(page.Number))
            {
                result.AddRange(page.Blocks);
                continue;
            }

            var ocrText = await OcrPageAsync(await input.PathAsync(cancellationToken).ConfigureAwait(false), page.Number, input.Directory, cancellationToken).ConfigureAwait(false);
            var ocrUnreadable = TextLayerJudge.WhyUnreadable(ocrText, options.MaxUnreadableCharShare);
            if (garbled.TryGetValue(page.Number, out var layerWhy) && (ocrUnreadable is not null || string.IsNullOrWhiteSpace(ocrText)))
            {
                warnings.Add($"page {page.Number}: the text layer is unreadable ({layerWhy}) and OCR found {(ocrUnreadable is null ? "no text" : "no readable text (" + ocrUnreadable + ")")}; the page was left out");
                continue;
            }

            if (ocrUnreadable is not null)
            {
                warnings.Add($"page {page.Number}: OCR found no readable text ({ocrUnreadable}); the page was left out");
                continue;
            }

            result.AddRange(ParagraphSplitter.Split(ocrText, joinLines: true, page: page.Number));
        }

        // Pages read from PdfPig's text layer (not OCRed) whose fonts may map glyphs to the wrong characters.
        warnings.AddRange(pig is { RejectedBecause: null }
            ? pig.Pages.Where(p => !ocrPages.Contains(p.Number)).SelectMany(p => p.FontWarnings)
            : []);
        if (warnings.Count > 0)
        {
            report[WarningsKey] = string.Join("; ", warnings);
            if (result.All(b => string.IsNullOrWhiteSpace(b.Text)))
            {
                throw new ExtractionException($"No page of the PDF has readable text: {warnings[0]}.", ExtractionFailure.Unreadable);
            }
        }

        return new ExtractedDocument(title, result, "pdf") { Report = report, Warnings = warnings };
    }

    private static string AllText(PdfPigResult pig) =>
        string.Join("\n", pig.Pages.SelectMany(p => p.Blocks).Select(b => b.Text));

    private sealed record PageText(int Number, int TextChars, IReadOnlyList<DocumentBlock> Blocks);

    /// <summary>The PDF as a file in a private temp directory, written on first use; the directory goes on dispose.</summary>
    private sealed class PdfInputFile(ReadOnlyMemory<byte> content, string? tempParent) : IDisposable
    {
        private PrivateTempDirectory? directory;
        private string? path;

        public PrivateTempDirectory Directory => directory ??= PrivateTempDirectory.Create(tempParent);

        public async Task<string> PathAsync(CancellationToken cancellationToken) =>
            path ??= await Directory.WriteFileAsync("input.pdf", content, cancellationToken).ConfigureAwait(false);

        public void Dispose() => directory?.Dispose();
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
        {
            throw new ExtractionException($"Page {page} of the PDF could not be rendered for OCR: {render.StandardError.Trim()}", ExtractionFailure.Unreadable);
        }

        try
        {
            return await ocr.RecognizeAsync(prefix + ".png", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(prefix + ".png");
        }
    }

    // Writers end a PDF with %%EOF (possibly followed by a line break or a little padding); a cut-off upload has none.
    private static bool HasEndMarker(ReadOnlySpan<byte> content) =>
        content[Math.Max(0, content.Length - 2048)..].LastIndexOf("%%EOF"u8) >= 0;

    private static int CountNonWhitespace(string text) => text.Count(c => !char.IsWhiteSpace(c));
}
