using System.Text;
using RagService.Core.Documents;

namespace RagService.Pdf.Bench;

/// <summary>Counts accumulated over the documents of one producer and one engine.</summary>
internal sealed class Metrics
{
    public long Lcs, ExtractedChars, SourceChars;
    public int HeadingsFound, HeadingsRight, HeadingsTruth;
    public int RunningChecks, RunningLeaks;
    public int Pages;
    public double Seconds;

    /// <summary>CPU seconds (this process and its child processes) per pass over the producer's documents.</summary>
    public double CpuSeconds;

    public double Precision => ExtractedChars == 0 ? 0 : (double)Lcs / ExtractedChars;
    public double Recall => SourceChars == 0 ? 0 : (double)Lcs / SourceChars;
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
    public double HeadingPrecision => HeadingsFound == 0 ? 0 : (double)HeadingsRight / HeadingsFound;
    public double HeadingRecall => HeadingsTruth == 0 ? 0 : (double)HeadingsRight / HeadingsTruth;
    public double Leakage => RunningChecks == 0 ? 0 : (double)RunningLeaks / RunningChecks;
    public double PagesPerSecond => Seconds == 0 ? 0 : Pages / Seconds;
    public double CpuMillisecondsPerPage => Pages == 0 ? 0 : CpuSeconds * 1000 / Pages;

    /// <summary>Scores one extraction against its ground truth.</summary>
    public void Add(CorpusDocument truth, ExtractedDocument extracted)
    {
        // Character level, order-aware: longest common subsequence of the texts with all whitespace removed.
        var source = Normalize(truth.Text);
        var got = Normalize(string.Join("\n", extracted.Blocks.Select(b => b.Text)));
        Lcs += LongestCommonSubsequence(source, got);
        SourceChars += source.Length;
        ExtractedChars += got.Length;

        var truthHeadings = truth.Headings.Select(h => Normalize(h.Text)).ToHashSet();
        var found = extracted.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => Normalize(b.Text)).ToList();
        HeadingsTruth += truthHeadings.Count;
        HeadingsFound += found.Count;
        HeadingsRight += found.Distinct().Count(truthHeadings.Contains);

        // Leakage: on every page, does a running header/footer (digits masked) appear in that page's text?
        var pages = extracted.Blocks.Where(b => b.Page is not null).Select(b => b.Page!.Value).DefaultIfEmpty(0).Max();
        foreach (var page in Enumerable.Range(1, pages))
        {
            var text = Mask(Normalize(string.Concat(extracted.Blocks.Where(b => b.Page == page).Select(b => b.Text))));
            foreach (var running in truth.Running)
            {
                RunningChecks++;
                if (text.Contains(Mask(Normalize(running)), StringComparison.Ordinal))
                {
                    RunningLeaks++;
                }
            }
        }
    }

    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (!char.IsWhiteSpace(c) && c != '\u00AD')
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string Mask(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\d+", "#");

    private static int LongestCommonSubsequence(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        foreach (var ca in a)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = ca == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
