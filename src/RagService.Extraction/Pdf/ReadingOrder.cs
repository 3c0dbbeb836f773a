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
        if (vGap >= fontSize && vGap >= hGap)
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
