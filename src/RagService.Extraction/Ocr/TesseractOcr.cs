using RagService.Core.Documents;
using RagService.Extraction.Processes;
using RagService.Extraction.Text;

namespace RagService.Extraction.Ocr;

/// <summary>Recognises text in an image file with tesseract (languages from <see cref="ExtractionOptions.OcrLanguages"/>).</summary>
public sealed class TesseractOcr(ExtractionOptions options, ChildProcessRunner runner)
{
    /// <summary>The recognised text; pages of a multi-page TIFF are separated by form feeds. Spaces tesseract puts between CJK characters are removed.</summary>
    public async Task<string> RecognizeAsync(string imagePath, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(
            options.TesseractPath,
            [imagePath, "stdout", "-l", options.OcrLanguages, "--psm", "3"],
            options.OcrTimeoutPerPage, "OCR (tesseract)", nameof(options.OcrTimeoutPerPage), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new ExtractionException($"OCR failed: {FirstError(result.StandardError)}", ExtractionFailure.Unreadable);
        }

        return CjkText.RemoveSpacesBetweenCjk(result.StandardOutput);
    }

    private static string FirstError(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => l.Contains("rror", StringComparison.Ordinal)) ?? stderr.Trim();
}
