using RagService.Core.Documents;
using RagService.Extraction.Processes;
using RagService.Extraction.Text;

namespace RagService.Extraction.Ocr;

/// <summary>Recognises text in an image file with tesseract (languages from <see cref="ExtractionOptions.OcrLanguages"/>).</summary>
public sealed class TesseractOcr(ExtractionOptions options, ChildProcessRunner runner)
{
    /// <summary>
    /// The recognised text; pages of a multi-page TIFF are separated by form feeds. Spaces tesseract puts between CJK characters are removed.
    /// </summary>
    public async Task<string> RecognizeAsync(string imagePath, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(
            options.TesseractPath,
            [imagePath, "stdout", "-l", options.OcrLanguages, "--psm", "3"],
            options.OcrTimeoutPerPage, "OCR (tesseract)", nameof(options.OcrTimeoutPerPage), cancellationToken).ConfigureAwait(false);
        // Leptonica reports an image it cannot allocate ("Error in pixCreateHeader: requested bytes >= 2^31") and
        // tesseract still exits 0 with no text: an error line is an error whatever the exit code.
        if (result.ExitCode != 0 || ErrorLine(result.StandardError) is not null)
        {
            throw new ExtractionException($"OCR failed: {ErrorLine(result.StandardError) ?? result.StandardError.Trim()}", ExtractionFailure.Unreadable);
        }

        return CjkText.RemoveSpacesBetweenCjk(result.StandardOutput);
    }

    // The most telling error line: leptonica's "requested bytes" line when there is one, else the first error line.
    private static string? ErrorLine(string stderr)
    {
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("Error", StringComparison.Ordinal) || l.Contains(" error", StringComparison.OrdinalIgnoreCase))
            .ToList();
        return errors.FirstOrDefault(l => l.Contains("requested bytes", StringComparison.Ordinal)) ?? errors.FirstOrDefault();
    }
}
