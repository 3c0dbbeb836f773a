using RagService.Extraction.Tests.Fidelity;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.ReadingOrderDetector;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using Xunit.Abstractions;

namespace RagService.Extraction.Tests;

/// <summary>
/// The hand-made steps of the PdfPig path (words, page segmentation, reading order) measured against PdfPig's own
/// layout analysis on the fidelity corpus: they stay only while they read each case at least as well.
/// </summary>
public class PdfPigLayoutComparisonTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases() => new(FidelityCorpus.All().Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Our_layout_agrees_with_the_known_text_at_least_as_well_as_PdfPig_layout_analysis(string name)
    {
        var fidelityCase = FidelityCorpus.Named(name);

        var doc = await new DocumentExtractor().ExtractAsync(fidelityCase.Pdf, name + ".pdf", null, CancellationToken.None);
        var ours = NGramAgreement.Of(fidelityCase.KnownText, string.Join("\n", doc.Blocks.Select(b => b.Text)));
        var docstrum = NGramAgreement.Of(fidelityCase.KnownText, PdfPigText(fidelityCase.Pdf, words => DocstrumBoundingBoxes.Instance.GetBlocks(words)));
        var xyCut = NGramAgreement.Of(fidelityCase.KnownText, PdfPigText(fidelityCase.Pdf, words => RecursiveXYCut.Instance.GetBlocks(words)));

        output.WriteLine($"{name}: ours {ours:0.000}, PdfPig nearest-neighbour words + Docstrum + unsupervised order {docstrum:0.000}, + recursive XY cut {xyCut:0.000}");
        Assert.True(ours >= docstrum && ours >= xyCut, $"{name}: ours {ours:0.000}, Docstrum {docstrum:0.000}, XY cut {xyCut:0.000}");
    }

    /// <summary>PdfPig's pipeline: duplicate glyphs dropped, nearest-neighbour words, blocks by <paramref name="segment"/>, unsupervised reading order.</summary>
    private static string PdfPigText(byte[] pdf, Func<IEnumerable<Word>, IReadOnlyList<TextBlock>> segment)
    {
        using var document = PdfDocument.Open(pdf);
        var blocks = new List<string>();
        foreach (var page in document.GetPages())
        {
            var words = NearestNeighbourWordExtractor.Instance.GetWords(DuplicateOverlappingTextProcessor.Get(page.Letters));
            blocks.AddRange(UnsupervisedReadingOrderDetector.Instance.Get(segment(words)).Select(b => b.Text));
        }

        return string.Join("\n", blocks);
    }
}
