using RagService.Core.Documents;
using RagService.Extraction.Text;

namespace RagService.Extraction.Pdf;

/// <summary>An outline (bookmark) entry: its title, 1-based level and, when it points into the document, its page.</summary>
internal sealed record OutlineEntry(string Title, int Level, int? Page);

/// <summary>
/// Turns laid-out pages into document blocks, marking headings. A block is a heading when it matches an outline entry
/// (level from the outline), or when it is short and set larger than the page's body text (≥ <see cref="SizeRatio"/> ×),
/// or bold at body size on a page whose body is not bold. Font-size headings get levels by size rank across the document
/// (largest = 1), bold body-size headings the level after the smallest larger size.
/// </summary>
internal static class HeadingDetector
{
    public const double SizeRatio = 1.15;
    private const int MaxHeadingChars = 200;
    private const int MaxHeadingLines = 3;
    private const int MinLettersForPageBody = 200;

    public static IReadOnlyList<DocumentBlock> ToBlocks(IReadOnlyList<LaidOutPage> pages, IReadOnlyList<OutlineEntry> outline)
    {
        var documentBody = BodyStyle(pages.SelectMany(p => p.Blocks));
        var bodies = pages.ToDictionary(p => p.Number, p =>
            p.Blocks.Sum(b => b.Letters) >= MinLettersForPageBody ? BodyStyle(p.Blocks) : documentBody);

        bool IsLarger(LaidOutBlock b, int page) => b.FontSize >= bodies[page].Size * SizeRatio;
        bool IsBoldAtBody(LaidOutBlock b, int page) => b.Bold && !bodies[page].Bold && b.FontSize >= bodies[page].Size * 0.95;
        bool Candidate(LaidOutBlock b) => b.Text.Length <= MaxHeadingChars && b.Lines <= MaxHeadingLines;

        var sizes = pages
            .SelectMany(p => p.Blocks.Where(b => Candidate(b) && IsLarger(b, p.Number)).Select(b => Math.Round(b.FontSize)))
            .Distinct().OrderDescending().ToList();
        var outlineTitles = outline
            .GroupBy(e => Normalize(e.Title))
            .ToDictionary(g => g.Key, g => g.ToList());

        var blocks = new List<DocumentBlock>();
        foreach (var page in pages)
        {
            foreach (var b in page.Blocks)
            {
                var level = 0;
                if (Candidate(b) && outlineTitles.TryGetValue(Normalize(b.Text), out var entries))
                {
                    level = (entries.FirstOrDefault(e => e.Page == page.Number) ?? entries[0]).Level;
                }
                else if (Candidate(b) && IsLarger(b, page.Number))
                {
                    level = sizes.IndexOf(Math.Round(b.FontSize)) + 1;
                }
                else if (Candidate(b) && b.Lines == 1 && IsBoldAtBody(b, page.Number))
                {
                    level = sizes.Count + 1;
                }

                blocks.Add(level > 0
                    ? new DocumentBlock(BlockKind.Heading, b.Text, Math.Min(6, level), page.Number)
                    : new DocumentBlock(BlockKind.Paragraph, b.Text, 0, page.Number));
            }
        }

        return blocks;
    }

    /// <summary>The font size (and boldness) carrying most glyphs.</summary>
    private static (double Size, bool Bold) BodyStyle(IEnumerable<LaidOutBlock> blocks) =>
        blocks.GroupBy(b => (Math.Round(b.FontSize * 2) / 2, b.Bold))
            .MaxBy(g => g.Sum(b => b.Letters))?.Key ?? (0, false);

    private static string Normalize(string text) => new(CjkText.CollapseWhitespace(text).Where(c => !char.IsWhiteSpace(c)).Select(char.ToLowerInvariant).ToArray());
}
