using RagService.Extraction.Pdf;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Extraction.Tests;

/// <summary>
/// The per-page time bound of the in-process PDF reader: a page held by the test past
/// <see cref="ExtractionOptions.PdfPigPageTimeout"/> makes the reader give up with the reason naming that page. The page
/// is held by a gate and the bound runs on a clock the test moves, so the outcome does not depend on how fast the
/// machine is.
/// </summary>
public class PdfPigPageBoundTests
{
    [Fact]
    public async Task A_page_past_its_bound_rejects_the_pdf_naming_the_page()
    {
        var pdf = PdfFixture.TextPdf("Page one text.", "Page two text.", "Page three text.");
        var bound = TimeSpan.FromSeconds(20);
        var clock = new ManualClock();
        using var held = new SemaphoreSlim(0);
        using var release = new ManualResetEventSlim();
        var layer = new PdfPigTextLayer(new ExtractionOptions { PdfPigPageTimeout = bound }, clock, page =>
        {
            if (page == 2)
            {
                held.Release();
                release.Wait();
            }
        });

        var reading = layer.ReadAsync(pdf, CancellationToken.None);
        await held.WaitAsync();
        clock.Advance(bound + TimeSpan.FromSeconds(1));
        var result = await reading;
        release.Set();

        Assert.Contains("on page 2", result.RejectedBecause);
        Assert.Contains("Extraction:PdfPigPageTimeout", result.RejectedBecause);
    }

    [Fact]
    public async Task Pages_within_their_bound_are_all_read()
    {
        var pdf = PdfFixture.TextPdf("Page one text.", "Page two text.", "Page three text.");

        var result = await new PdfPigTextLayer(new ExtractionOptions()).ReadAsync(pdf, CancellationToken.None);

        Assert.Null(result.RejectedBecause);
        Assert.Equal([1, 2, 3], result.Pages.Select(p => p.Number));
    }
}
