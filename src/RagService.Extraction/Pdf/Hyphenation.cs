using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Extraction.Pdf;

/// <summary>
/// Resolves the hyphens that <see cref="PageLayout.JoinLines"/> found at line ends before a lower-case letter: when the
/// document writes the same word with a hyphen somewhere else ("re-sodded" mid-line), the hyphen is real and stays;
/// otherwise it was hyphenation and goes ("extrac-" + "tion" → "extraction"). Chromium draws the hyphen of a soft
/// break as U+2010, which the document never contains as its own text, so those always go.
/// </summary>
internal static partial class Hyphenation
{
    [GeneratedRegex(@"\p{L}+\u00AD\p{L}+")]
    private static partial Regex MarkedWord();

    public static IReadOnlyList<DocumentBlock> Resolve(IReadOnlyList<DocumentBlock> blocks)
    {
        if (!blocks.Any(b => b.Text.Contains(PageLayout.HyphenationMark, StringComparison.Ordinal)))
        {
            return blocks;
        }

        var all = string.Join("\n", blocks.Select(b => b.Text));
        return blocks.Select(b => b with
        {
            Text = MarkedWord().Replace(b.Text, m =>
            {
                var hyphenated = m.Value.Replace(PageLayout.HyphenationMark, '-');
                return all.Contains(hyphenated, StringComparison.OrdinalIgnoreCase) ? hyphenated : m.Value.Replace(PageLayout.HyphenationMark.ToString(), "", StringComparison.Ordinal);
            }).Replace(PageLayout.HyphenationMark.ToString(), "", StringComparison.Ordinal),
        }).ToList();
    }
}
