using UglyToad.PdfPig.Content;

namespace RagService.Extraction.Pdf;

/// <summary>
/// Where a line's words end, from its own spacing: justified lines stretch or shrink their word gaps line by line, and
/// letter-spaced lines widen the gaps between letters, so no fixed share of the font size separates the two. The
/// line's gaps (in em) are sorted; the first step up of at least <see cref="MinimumStepEm"/> to a gap of at least that
/// size ends the letter gaps, and every gap from there up is a word gap (a tight line set with 0.08 em word gaps keeps
/// its spaces). A line without such a step (all gaps alike: one word, or words of one letter) keeps the fixed rule:
/// a gap over <see cref="FixedWordGapEm"/> between two words of <see cref="WordBuilder"/>.
/// </summary>
internal sealed class WordGaps
{
    /// <summary>The least step from letter gaps to word gaps, in em (kerning moves letters by less).</summary>
    public const double MinimumStepEm = 0.06;

    /// <summary>The word gap of a line without a step, in em.</summary>
    public const double FixedWordGapEm = 0.1;

    private readonly double? wordGapEm;

    private WordGaps(double? wordGapEm) => this.wordGapEm = wordGapEm;

    /// <summary>The spacing of a line of letters ordered left to right.</summary>
    public static WordGaps Of(IReadOnlyList<Letter> line)
    {
        var gaps = new List<double>();
        for (var i = 1; i < line.Count; i++)
        {
            gaps.Add(Gap(line[i - 1], line[i]));
        }

        gaps.Sort();
        for (var i = 1; i < gaps.Count; i++)
        {
            if (gaps[i] >= MinimumStepEm && gaps[i] - gaps[i - 1] >= MinimumStepEm)
            {
                return new WordGaps((gaps[i] + gaps[i - 1]) / 2);
            }
        }

        return new WordGaps(null);
    }

    /// <param name="separateWords">Whether <see cref="WordBuilder"/> put the two letters in different words.</param>
    public bool IsWordGap(Letter left, Letter right, bool separateWords) =>
        wordGapEm is { } threshold ? Gap(left, right) > threshold : separateWords && Gap(left, right) > FixedWordGapEm;

    private static double Gap(Letter left, Letter right) => (right.StartBaseLine.X - left.EndBaseLine.X) / Math.Max(1, right.PointSize);
}
