using System.Globalization;
using System.Text.RegularExpressions;
using RagService.Core.Documents;
using RagService.Extraction.Processes;

namespace RagService.Extraction.Pdf;

/// <summary>What poppler read: page count, the text of each page (pdftotext, split at form feeds) and the Info title.</summary>
internal sealed record PopplerText(int PageCount, IReadOnlyList<string> Pages, string? Title);

/// <summary>
/// The text layer via poppler child processes: pdfinfo (page count, encryption) and one pdftotext run for all pages,
/// each bounded by <see cref="ExtractionOptions.PdfTimeout"/> and the child memory limit.
/// </summary>
internal sealed partial class PopplerTextLayer(ExtractionOptions options, ChildProcessRunner runner)
{
    [GeneratedRegex(@"^Pages:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex PagesLine();

    [GeneratedRegex(@"^Title:\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex TitleLine();

    public async Task<PopplerText> ReadAsync(string pdf, CancellationToken cancellationToken)
    {
        var info = await RunAsync(options.PdfInfoPath, ["-enc", "UTF-8", pdf], "pdfinfo", cancellationToken).ConfigureAwait(false);
        var pageCount = PagesLine().Match(info) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        if (pageCount == 0)
        {
            throw new ExtractionException("The PDF has no pages.", ExtractionFailure.Unreadable);
        }

        if (pageCount > options.MaxPdfPages)
        {
            throw new ExtractionException($"The PDF has {pageCount} pages; the limit is {options.MaxPdfPages} (Extraction:MaxPdfPages).", ExtractionFailure.TooLarge);
        }

        var text = await RunAsync(options.PdfToTextPath, ["-enc", "UTF-8", "-eol", "unix", pdf, "-"], "pdftotext", cancellationToken).ConfigureAwait(false);
        var title = TitleLine().Match(info) is { Success: true } t ? t.Groups[1].Value.Trim() : null;
        return new PopplerText(pageCount, text.Split('\f'), string.IsNullOrEmpty(title) ? null : title);
    }

    private async Task<string> RunAsync(string tool, string[] arguments, string what, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(tool, arguments, options.PdfTimeout, what, nameof(options.PdfTimeout), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            return result.StandardOutput;
        }

        var error = result.StandardError;
        if (error.Contains("password", StringComparison.OrdinalIgnoreCase) || error.Contains("encrypt", StringComparison.OrdinalIgnoreCase))
        {
            throw new ExtractionException("The PDF is encrypted (password protected); upload a copy without a password.", ExtractionFailure.Unreadable);
        }

        if (result.ExitCode == 3)
        {
            throw new ExtractionException("The PDF's permissions forbid copying its text; upload a copy without restrictions.", ExtractionFailure.Unreadable);
        }

        var reason = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {result.ExitCode}";
        throw new ExtractionException($"The PDF is damaged and cannot be read ({what}: {reason}).", ExtractionFailure.Unreadable);
    }
}
