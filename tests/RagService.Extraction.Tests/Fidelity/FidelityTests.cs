using Xunit.Abstractions;
using RagService.Extraction.Tests.Fidelity;

namespace RagService.Extraction.Tests;

/// <summary>
/// The PdfPig text layer on PDFs whose text is known (<see cref="FidelityCorpus"/>): agreement with that text, in word
/// 4-grams, must reach 0.98.
/// </summary>
public class FidelityTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases() => new(FidelityCorpus.All().Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Text_agrees_with_the_known_text(string name)
    {
        var fidelityCase = FidelityCorpus.Named(name);

        var doc = await new DocumentExtractor().ExtractAsync(fidelityCase.Pdf, name + ".pdf", null, CancellationToken.None);
        var text = string.Join("\n", doc.Blocks.Select(b => b.Text));

        Assert.Equal("pdfpig", doc.Report["extraction.textLayer"]);
        var agreement = NGramAgreement.Of(fidelityCase.KnownText, text);
        output.WriteLine($"{name}: agreement {agreement:0.000}");
        Assert.True(agreement >= 0.98, $"{name}: word 4-gram agreement {agreement:0.000} < 0.98; extracted:\n{text}");
    }

    [Fact]
    public void The_scorer_counts_missing_doubled_and_reordered_words()
    {
        const string truth = "one two three four five six seven";

        Assert.Equal(1.0, NGramAgreement.Of(truth, "one two  three\nfour five six seven"));
        // 4 four-grams in the truth; dropping "four" leaves none of them whole.
        Assert.Equal(0.0, NGramAgreement.Of(truth, "one two three five six seven"));
        // Doubling the last word adds a 4-gram the truth lacks: 4 shared of max(4, 5).
        Assert.Equal(0.8, NGramAgreement.Of(truth, "one two three four five six seven seven"));
        // Words compare ordinally: a decomposed accent (e + U+0301) is not the é of the truth, as a search index sees it.
        Assert.Equal(0.0, NGramAgreement.Of("a b c d\u00E9", "a b c de\u0301"));
    }
}

/// <summary>
/// Agreement of two texts as shared word 4-grams (multiset intersection) over the larger 4-gram count, so that both
/// lost and extra words cost. Words are split at whitespace and compared ordinally (no Unicode normalisation: the
/// extractor must join combining marks itself).
/// </summary>
internal static class NGramAgreement
{
    public static double Of(string truth, string extracted)
    {
        var expected = Grams(truth);
        var actual = Grams(extracted);
        var shared = 0;
        foreach (var (gram, count) in actual)
        {
            shared += Math.Min(count, expected.GetValueOrDefault(gram));
        }

        var total = Math.Max(expected.Values.Sum(), actual.Values.Sum());
        return total == 0 ? 1.0 : (double)shared / total;
    }

    private static Dictionary<string, int> Grams(string text)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i + 4 <= words.Length; i++)
        {
            var gram = string.Join(' ', words, i, 4);
            grams[gram] = grams.GetValueOrDefault(gram) + 1;
        }

        return grams;
    }
}
