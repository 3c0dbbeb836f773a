using System.Text;
using System.Text.RegularExpressions;

namespace RagService.Extraction.Pdf;

/// <summary>
/// Drops running headers, footers and page numbers: blocks inside the top or bottom margin band of a page whose text,
/// with digits masked, repeats in the same band on other pages; and blocks in the band that are just a page number
/// ("7", "- 7 -", "Page 7 of 9", "7/9", "第 7 页"). A page that would be left without text keeps it.
/// </summary>
internal static partial class RunningTextFilter
{
    /// <summary>Share of the page height, at the top and at the bottom, where running text lives.</summary>
    public const double MarginBand = 0.12;

    [GeneratedRegex(@"^[\s\-–—·•|(\[]*(page|p\.|seite|第)?\s*\d{1,4}\s*((/|of|von|页|頁)\s*(共\s*)?\d{0,4}\s*(页|頁)?)?[\s\-–—·•|)\]]*$", RegexOptions.IgnoreCase)]
    private static partial Regex PageNumber();

    public static IReadOnlyList<LaidOutPage> Apply(IReadOnlyList<LaidOutPage> pages)
    {
        var bandPages = new Dictionary<string, HashSet<int>>();
        foreach (var page in pages)
        {
            foreach (var block in page.Blocks.Where(b => InBand(b, page)))
            {
                var key = Key(block.Text);
                if (!bandPages.TryGetValue(key, out var seen))
                {
                    bandPages[key] = seen = [];
                }

                seen.Add(page.Number);
            }
        }

        // Pages that would be left without text (a short note at the top of each page) keep it: it is their content.
        return pages
            .Select(page =>
            {
                var kept = page.Blocks
                    .Where(b => !InBand(b, page) || (!PageNumber().IsMatch(b.Text) && bandPages[Key(b.Text)].Count < 2))
                    .ToList();
                return kept.Count == 0 ? page : page with { Blocks = kept };
            })
            .ToList();
    }

    private static bool InBand(LaidOutBlock block, LaidOutPage page) =>
        block.Bottom <= page.Height * MarginBand || block.Top >= page.Height * (1 - MarginBand);

    /// <summary>Text with whitespace removed and digit runs masked, so "Page 3" and "Page 4" (or dates) compare equal.</summary>
    private static string Key(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsDigit(c))
            {
                if (sb.Length == 0 || sb[^1] != '#')
                {
                    sb.Append('#');
                }
            }
            else if (!char.IsWhiteSpace(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }
}
