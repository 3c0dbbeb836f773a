using UglyToad.PdfPig.Content;

namespace RagService.Extraction.Pdf;

/// <summary>
/// A word with a box built from its baseline and point size (ascent 0.8 em, descent 0.25 em): glyph rectangles are
/// unreliable (Type 3 fonts, as Chromium writes for CFF fonts, report zero-height glyphs).
/// </summary>
internal sealed record PlacedWord(Word Word, double Left, double Right, double Top, double Bottom, double Baseline)
{
    public static PlacedWord Of(Word word)
    {
        var size = word.Letters.Max(l => l.PointSize);
        var baseline = word.Letters[0].StartBaseLine.Y;
        return new PlacedWord(word, word.BoundingBox.Left, word.BoundingBox.Right, baseline + size * 0.8, baseline - size * 0.25, baseline);
    }
}

/// <summary>
/// Splits a page's words into regions in reading order by recursive XY cut: at each step the widest gap wins, a
/// vertical one (a column gutter, at least one font size wide, separating every word into a left and a right part) or a
/// horizontal one (at least half a font size between word boxes: a paragraph or heading break, a running header). The
/// gutter between two columns is wider than the gaps between their lines, so columns are read one after the other.
/// </summary>
internal static class ReadingOrder
{
    public static List<List<PlacedWord>> Regions(IReadOnlyList<PlacedWord> words, double fontSize)
    {
        var regions = new List<List<PlacedWord>>();
        Cut(words.ToList(), Math.Max(1, fontSize), regions);
        return regions;
    }

    private static void Cut(List<PlacedWord> group, double fontSize, List<List<PlacedWord>> regions)
    {
        if (group.Count <= 1)
        {
            if (group.Count == 1)
            {
                regions.Add(group);
            }

            return;
        }

        var (vGap, vAt, byLeft) = WidestGap(group.OrderBy(w => w.Left).ToList(), w => w.Left, w => w.Right, ascending: true);
        var (hGap, hAt, byTop) = WidestGap(group.OrderByDescending(w => w.Top).ToList(), w => -w.Top, w => -w.Bottom, ascending: true);
        if (vGap >= hGap && (vGap >= fontSize || IsNarrowGutter(byLeft, vAt, vGap, fontSize)))
        {
            Cut(byLeft[..vAt], fontSize, regions);
            Cut(byLeft[vAt..], fontSize, regions);
        }
        else if (hGap >= fontSize * 0.5)
        {
            Cut(byTop[..hAt], fontSize, regions);
            Cut(byTop[hAt..], fontSize, regions);
        }
        else
        {
            regions.Add(group);
        }
    }

    /// <summary>
    /// A vertical gap narrower than a font size still parts two columns when each side holds at least
    /// <see cref="NarrowGutterMinLines"/> lines and the gap is at least <see cref="NarrowGutterMinEm"/> wide and
    /// <see cref="NarrowGutterWordGaps"/> times the group's median word gap: justified columns set close together. A
    /// short paragraph whose word gaps happen to line up (a "river") has too few lines or too narrow a gap.
    /// </summary>
    private static bool IsNarrowGutter(List<PlacedWord> byLeft, int at, double gap, double fontSize) =>
        gap >= fontSize * NarrowGutterMinEm
        && gap >= NarrowGutterWordGaps * MedianWordGap(byLeft)
        && LineCount(byLeft[..at], fontSize) >= NarrowGutterMinLines
        && LineCount(byLeft[at..], fontSize) >= NarrowGutterMinLines;

    private const double NarrowGutterMinEm = 0.6;
    private const double NarrowGutterWordGaps = 1.5;
    private const int NarrowGutterMinLines = 3;

    private static int LineCount(List<PlacedWord> words, double fontSize) =>
        words.Select(w => Math.Round(w.Baseline / (fontSize * 0.5))).Distinct().Count();

    private static double MedianWordGap(List<PlacedWord> words)
    {
        var gaps = words
            .GroupBy(w => Math.Round(w.Baseline))
            .SelectMany(line =>
            {
                var sorted = line.OrderBy(w => w.Left).ToList();
                return sorted.Zip(sorted.Skip(1), (a, b) => b.Left - a.Right).Where(g => g > 0);
            })
            .Order()
            .ToList();
        return gaps.Count == 0 ? 0 : gaps[gaps.Count / 2];
    }

    /// <summary>The widest gap between the far edge of the words so far and the near edge of the next, along one axis.</summary>
    private static (double Gap, int At, List<PlacedWord> Sorted) WidestGap(List<PlacedWord> sorted, Func<PlacedWord, double> near, Func<PlacedWord, double> far, bool ascending)
    {
        var best = (Gap: double.MinValue, At: 0);
        var reach = far(sorted[0]);
        for (var i = 1; i < sorted.Count; i++)
        {
            var gap = near(sorted[i]) - reach;
            if (gap > best.Gap)
            {
                best = (gap, i);
            }

            reach = Math.Max(reach, far(sorted[i]));
        }

        return (best.Gap, best.At, sorted);
    }
}
