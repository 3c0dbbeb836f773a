using System.Globalization;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>
/// A pseudo-query cut out of a chunk, after the Inverse Cloze Task (Lee et al. 2019): the middle third of the chunk's
/// words (or CJK characters) is the query, and it must find the chunk in two versions that bracket real questions:
/// <see cref="HeldOut"/>, the chunk without the span (no word of the query in its target: plain ICT, which leaves BM25
/// only the topic words of the other two thirds and favours dense), and <see cref="Overlapping"/>, the chunk with every
/// second unit of the span deleted (half the query's words in its target, which favours BM25). A verbatim span in the
/// intact chunk would be a perfect BM25 query; real questions repeat some words of their answer and rephrase the rest.
/// </summary>
public sealed record InverseClozeSplit(string Query, string HeldOut, string Overlapping)
{
    /// <summary>Fewer units than this leave too little on either side to be a query or a passage.</summary>
    public const int MinimumUnits = 9;

    /// <summary>The split of a chunk's text; null when it has fewer than <see cref="MinimumUnits"/> words/characters.</summary>
    public static InverseClozeSplit? Of(string text)
    {
        var starts = UnitStarts(text);
        if (starts.Count < MinimumUnits)
        {
            return null;
        }

        var from = starts[starts.Count / 3];
        var to = starts[2 * starts.Count / 3];
        var query = text[from..to].Trim();
        var kept = new System.Text.StringBuilder(text[..from]);
        for (var u = starts.Count / 3; u < 2 * starts.Count / 3; u += 2)
        {
            kept.Append(text[starts[u]..starts[u + 1]]);
        }

        kept.Append(text[to..]);
        return new InverseClozeSplit(query, (text[..from].TrimEnd() + " " + text[to..].TrimStart()).Trim(), kept.ToString().Trim());
    }

    /// <summary>Where each unit starts: a run of letters/digits of a space-delimited script, or a single CJK character.</summary>
    private static List<int> UnitStarts(string text)
    {
        var starts = new List<int>();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsLowSurrogate(c))
            {
                continue;
            }

            if (IsCjk(text, i))
            {
                starts.Add(i);
                inWord = false;
            }
            else if (char.IsLetterOrDigit(text, i))
            {
                if (!inWord)
                {
                    starts.Add(i);
                }

                inWord = true;
            }
            else
            {
                inWord = false;
            }
        }

        return starts;
    }

    private static bool IsCjk(string text, int i)
    {
        var category = CharUnicodeInfo.GetUnicodeCategory(text, i);
        if (category != UnicodeCategory.OtherLetter)
        {
            return false;
        }

        var cp = char.ConvertToUtf32(text, i);
        return cp is (>= 0x3040 and <= 0x30FF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF)
            or (>= 0x20000 and <= 0x2FFFF) or (>= 0xAC00 and <= 0xD7AF);
    }
}
