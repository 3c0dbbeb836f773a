namespace RagService.Core.Chunking;

/// <summary>
/// Splits text into sentences that tile it exactly: each ends at one of the given CJK delimiters (the delimiter stays with
/// its sentence) or at a Latin sentence end (<see cref="LatinSentenceEnds"/>, the spaces after it stay with its sentence).
/// </summary>
public static class SentenceSplitter
{
    /// <summary>Sentence-pack chunking's sentence ends: 。！？； and line feed.</summary>
    public const string SentencePackDelimiters = "。！？；\n";

    /// <summary>Chinese sentence ends used for structured chunking.</summary>
    public const string CjkDelimiters = "。！？；…\n";

    /// <summary>Names the sentence and word boundary rules; part of the ingest signature, so a change re-chunks synced files.</summary>
    public const string RulesVersion = "sentences/v2";

    /// <summary>Exclusive end offsets of the sentences of <paramref name="text"/>, in order; the last one is the text's length.</summary>
    /// <param name="keepClosingMarks">Keep runs of CJK delimiters and closing quotes or brackets with the sentence they close.</param>
    public static List<int> Ends(string text, string delimiters, bool keepClosingMarks)
    {
        var ends = new List<int>();
        for (var i = 0; i < text.Length; i++)
        {
            int end;
            if (delimiters.Contains(text[i], StringComparison.Ordinal))
            {
                end = i + 1;
                while (keepClosingMarks && end < text.Length && IsClosingRun(text[end], delimiters))
                {
                    end++;
                }
            }
            else if ((end = LatinSentenceEnds.EndAt(text, i)) > 0)
            {
                while (end < text.Length && text[end] != '\n' && char.IsWhiteSpace(text[end]))
                {
                    end++;
                }
            }
            else
            {
                continue;
            }

            ends.Add(end);
            i = end - 1;
        }

        if (ends.Count == 0 || ends[^1] < text.Length)
        {
            ends.Add(text.Length);
        }

        return ends;
    }

    public static List<string> Split(string text, string delimiters)
    {
        var sentences = new List<string>();
        var start = 0;
        foreach (var end in Ends(text, delimiters, keepClosingMarks: true))
        {
            if (end > start)
            {
                sentences.Add(text[start..end]);
            }

            start = end;
        }

        return sentences;
    }

    /// <summary>Cuts a piece into parts of at most <paramref name="max"/> UTF-16 units, on word boundaries where there are any.</summary>
    public static IEnumerable<string> HardCut(string piece, int max)
    {
        var start = 0;
        while (piece.Length - start > max)
        {
            var end = WordBoundaries.CutAtOrBefore(piece, start, start + max);
            yield return piece[start..end];
            start = end;
        }

        yield return piece[start..];
    }

    private static bool IsClosingRun(char c, string delimiters) =>
        (delimiters.Contains(c, StringComparison.Ordinal) && c != '\n') || c is '”' or '」' or '"' or '）' or ')';
}
