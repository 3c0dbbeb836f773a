using UglyToad.PdfPig.Content;

namespace RagService.Extraction.Pdf;

/// <summary>
/// Accents drawn as glyphs of their own over a letter (´ ` ^ ¨ ~ and the other spacing accents, as TeX fonts without
/// precomposed letters draw "é" as "e" plus "´"): an accent whose horizontal middle lies within a neighbouring letter's
/// advance, on the same line, becomes that letter's combining mark. Combining marks drawn as separate glyphs need no
/// help: they follow their letter, and the line is brought to Unicode NFC afterwards.
/// </summary>
internal static class SpacingAccents
{
    private static readonly Dictionary<string, char> Combining = new(StringComparer.Ordinal)
    {
        ["\u00B4"] = '\u0301', ["`"] = '\u0300', ["^"] = '\u0302', ["\u02C6"] = '\u0302', ["\u00A8"] = '\u0308',
        ["~"] = '\u0303', ["\u02DC"] = '\u0303', ["\u00AF"] = '\u0304', ["\u02C7"] = '\u030C', ["\u02D8"] = '\u0306',
        ["\u02D9"] = '\u0307', ["\u02DA"] = '\u030A', ["\u02DD"] = '\u030B', ["\u00B8"] = '\u0327', ["\u02DB"] = '\u0328',
    };

    /// <summary>
    /// For letters ordered left to right: the combining marks each letter takes from accents set over it, and the
    /// indexes of the accents so absorbed.
    /// </summary>
    public static (Dictionary<int, string> Marks, HashSet<int> Absorbed) Attach(IReadOnlyList<Letter> letters)
    {
        var marks = new Dictionary<int, string>();
        var absorbed = new HashSet<int>();
        for (var i = 0; i < letters.Count; i++)
        {
            if (!Combining.TryGetValue(letters[i].Value, out var mark))
            {
                continue;
            }

            var middle = (letters[i].StartBaseLine.X + letters[i].EndBaseLine.X) / 2;
            foreach (var j in new[] { i - 1, i + 1, i - 2, i + 2 })
            {
                if (j >= 0 && j < letters.Count && !Combining.ContainsKey(letters[j].Value) && char.IsLetter(letters[j].Value[0])
                    && middle > letters[j].StartBaseLine.X && middle < letters[j].EndBaseLine.X)
                {
                    marks[j] = marks.GetValueOrDefault(j, "") + mark;
                    absorbed.Add(i);
                    break;
                }
            }
        }

        return (marks, absorbed);
    }
}
