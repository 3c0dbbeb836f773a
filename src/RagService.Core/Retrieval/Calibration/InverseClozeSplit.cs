using System.Globalization;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>
/// A pseudo-query cut out of a chunk, after the Inverse Cloze Task (Lee et al. 2019): the middle third of the chunk's
/// words (or CJK characters) is the query; the passage it must find is the chunk with every second unit of that span
/// deleted. The query thus shares half its words with its target, like a question that repeats some words of the answer
/// sentence and rephrases the rest: a verbatim span would hand BM25 a perfect match, and removing the span entirely
/// (plain ICT) leaves BM25 nothing but the topic words of the other two thirds, which favours dense (measured in docs/retrieval.md).
/// </summary>
public sealed record InverseClozeSplit(string Query, string Context)
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
        return new InverseClozeSplit(query, kept.ToString().Trim());
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
