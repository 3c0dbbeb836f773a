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
internal sealed class PdfPigTextLayer(ExtractionOptions options)
{
    public async Task<PdfPigResult> ReadAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        if (content.Length > options.MaxPdfPigBytes)
        {
            return PdfPigResult.Rejected($"the file ({content.Length} bytes) is larger than Extraction:MaxPdfPigBytes ({options.MaxPdfPigBytes}) for in-process parsing");
        }

        PdfDocument? document = null;
        var abandoned = false;
        try
        {
            var bytes = content.ToArray();
            var opened = await Bounded(() => PdfDocument.Open(bytes, new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = false }), "opening the file", cancellationToken).ConfigureAwait(false);
            if (opened.Timeout is not null)
            {
                abandoned = true;
                return PdfPigResult.Rejected(opened.Timeout);
            }

            document = opened.Value!;
            if (document.NumberOfPages > options.MaxPdfPages)
            {
                throw new ExtractionException($"The PDF has {document.NumberOfPages} pages; the limit is {options.MaxPdfPages} (Extraction:MaxPdfPages).", ExtractionFailure.TooLarge);
            }

            var pages = new List<LaidOutPage>(document.NumberOfPages);
            for (var n = 1; n <= document.NumberOfPages; n++)
            {
                var number = n;
                var doc = document;
                var read = await Bounded(() => ReadPage(doc, number), $"page {number}", cancellationToken).ConfigureAwait(false);
                if (read.Timeout is not null)
                {
                    abandoned = true;
                    return PdfPigResult.Rejected(read.Timeout);
                }

                if (read.Value!.Rejected is { } reason)
                {
                    return PdfPigResult.Rejected(reason);
                }

                pages.Add(read.Value.Page!);
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
        catch (ExtractionException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            abandoned = true;
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return PdfPigResult.Rejected($"PdfPig could not read it ({e.GetType().Name}: {FirstLine(e.Message)})");
        }
        finally
        {
            // A page still running in the background keeps using the document; the collector reclaims it afterwards.
            if (!abandoned)
            {
                document?.Dispose();
            }
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

        return (PageLayout.Read(page, letters), null);
    }

    private async Task<(T? Value, string? Timeout)> Bounded<T>(Func<T> work, string what, CancellationToken cancellationToken)
    {
        try
        {
            var value = await Task.Run(work, cancellationToken).WaitAsync(options.PdfPigPageTimeout, cancellationToken).ConfigureAwait(false);
            return (value, null);
        }
        catch (TimeoutException)
        {
            return (default, $"PdfPig took longer than {options.PdfPigPageTimeout.TotalSeconds:0.#} s on {what} (Extraction:PdfPigPageTimeout)");
        }
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
