using RagService.Core.Documents;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Outline;

namespace RagService.Extraction.Pdf;

/// <summary>What PdfPig read, or why the PDF should go to poppler instead.</summary>
internal sealed record PdfPigResult(IReadOnlyList<LaidOutPage> Pages, IReadOnlyList<OutlineEntry> Outline, string? Title, string? RejectedBecause)
{
    public static PdfPigResult Rejected(string reason) => new([], [], null, reason);
}

/// <summary>
/// Reads a PDF's text layer in process with PdfPig. Bounds: files over <see cref="ExtractionOptions.MaxPdfPigBytes"/> are
/// not opened; opening and each page are bounded by <see cref="ExtractionOptions.PdfPigPageTimeout"/>; a page with more
/// than <see cref="ExtractionOptions.MaxPdfPigPageLetters"/> glyphs is not laid out. PdfPig cannot be interrupted, so
/// a page past its time bound finishes (or fails) in the background while the PDF goes to poppler. Any PdfPig exception,
/// and text that is mostly invalid characters, also mean "use poppler", with the reason.
/// </summary>
/// <remarks>
/// The whole document is read by one pool thread, watched by <see cref="StepWatch"/>, rather than one pool task per
/// page: each hop between threads waits for the scheduler, and on a loaded machine that wait cost more than reading a
/// page (the Chromium corpus read twice as fast without the per-page hops; see docs/extraction.md).
/// </remarks>
/// <param name="time">Clock of the per-page bound; tests pass one they control.</param>
/// <param name="beforePage">Called on the reading thread as page N starts (tests hold a page with it).</param>
internal sealed class PdfPigTextLayer(ExtractionOptions options, TimeProvider? time = null, Action<int>? beforePage = null)
{
    public async Task<PdfPigResult> ReadAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (content.Length > options.MaxPdfPigBytes)
        {
            return PdfPigResult.Rejected($"the file ({content.Length} bytes) is larger than Extraction:MaxPdfPigBytes ({options.MaxPdfPigBytes}) for in-process parsing");
        }

        var clock = time ?? TimeProvider.System;
        var watch = new StepWatch(clock);
        var bytes = content.ToArray();
        var work = Task.Run(() => Read(bytes, watch, cancellationToken), cancellationToken);
        try
        {
            while (true)
            {
                var (step, elapsed) = watch.Current;
                var left = options.PdfPigPageTimeout - elapsed;
                if (left <= TimeSpan.Zero)
                {
                    return PdfPigResult.Rejected($"PdfPig took longer than {options.PdfPigPageTimeout.TotalSeconds:0.#} s on {step} (Extraction:PdfPigPageTimeout)");
                }

                try
                {
                    return await work.WaitAsync(left, clock, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The step may have changed meanwhile: look again at what runs now and for how long.
                }
            }
        }
        finally
        {
            // Past the bound or cancelled: the page in progress finishes in the background, no further page starts.
            if (!work.IsCompleted)
            {
                watch.Abandon();
            }
        }
    }

    private PdfPigResult Read(byte[] bytes, StepWatch watch, CancellationToken cancellationToken)
    {
        try
        {
            watch.Start("opening the file");
            using var document = PdfDocument.Open(bytes, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = false });
            if (document.NumberOfPages > options.MaxPdfPages)
            {
                throw new ExtractionException($"The PDF has {document.NumberOfPages} pages; the limit is {options.MaxPdfPages} (Extraction:MaxPdfPages).", ExtractionFailure.TooLarge);
            }

            var pages = new List<LaidOutPage>(document.NumberOfPages);
            for (var n = 1; n <= document.NumberOfPages; n++)
            {
                if (watch.Abandoned)
                {
                    return PdfPigResult.Rejected("abandoned");
                }

                cancellationToken.ThrowIfCancellationRequested();
                watch.Start($"page {n}");
                beforePage?.Invoke(n);
                var (page, rejected) = ReadPage(document, n);
                if (rejected is not null)
                {
                    return PdfPigResult.Rejected(rejected);
                }

                pages.Add(page!);
            }

            var letters = pages.Sum(p => p.TextChars);
            var invalid = pages.Sum(p => p.InvalidChars);
            if (letters > 0 && invalid > letters * options.MaxPdfPigInvalidCharShare)
            {
                return PdfPigResult.Rejected($"{invalid} of its {letters} characters are invalid (more than Extraction:MaxPdfPigInvalidCharShare = {options.MaxPdfPigInvalidCharShare:0.##})");
            }

            var title = document.Information.Title?.Trim();
            return new PdfPigResult(pages, ReadOutline(document), string.IsNullOrEmpty(title) ? null : title, null);
        }
        catch (Exception e) when (e is not (ExtractionException or OperationCanceledException or OutOfMemoryException))
        {
            return PdfPigResult.Rejected($"PdfPig could not read it ({e.GetType().Name}: {FirstLine(e.Message)})");
        }
    }

    private (LaidOutPage? Page, string? Rejected) ReadPage(PdfDocument document, int number)
    {
        var page = document.GetPage(number);
        var letters = page.Letters;
        if (letters.Count > options.MaxPdfPigPageLetters)
        {
            return (null, $"page {number} has {letters.Count} glyphs, more than Extraction:MaxPdfPigPageLetters ({options.MaxPdfPigPageLetters}) for in-process layout");
        }

        return (PageLayout.Read(page, letters) with { FontWarnings = UnmappedFonts.Warnings(page, letters, document.Structure.TokenScanner) }, null);
    }

    private static List<OutlineEntry> ReadOutline(PdfDocument document)
    {
        try
        {
            if (!document.TryGetBookmarks(out var bookmarks))
            {
                return [];
            }

            return bookmarks.GetNodes()
                .Where(n => !string.IsNullOrWhiteSpace(n.Title))
                .Select(n => new OutlineEntry(n.Title.Trim(), n.Level + 1, n is DocumentBookmarkNode d ? d.PageNumber : null))
                .ToList();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A broken outline costs the outline, not the text.
            return [];
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
