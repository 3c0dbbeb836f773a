namespace RagService.Core.Chunking;

/// <summary>Splits text into sentences; each delimiter stays with its sentence and the pieces tile the text exactly.</summary>
public static class SentenceSplitter
{
    /// <summary>The anchor's sentence ends: 。！？； and line feed.</summary>
    public const string AnchorDelimiters = "。！？；\n";

    /// <summary>Chinese and Latin sentence ends used for structured chunking (a Latin . ! ? ; ends a sentence only before whitespace).</summary>
    public const string CjkDelimiters = "。！？；…\n";

    public static List<string> Split(string text, string delimiters, bool latinStops = false)
    {
        var sentences = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var ends = delimiters.Contains(c, StringComparison.Ordinal)
                || (latinStops && c is '.' or '!' or '?' or ';' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (ends)
            {
                // Keep runs of closing marks (…… or ！？ or a closing quote) with the sentence.
                while (i + 1 < text.Length && (delimiters.Contains(text[i + 1], StringComparison.Ordinal) && text[i + 1] != '\n' || text[i + 1] is '”' or '」' or '"' or '）' or ')'))
                {
                    i++;
                }

                sentences.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            sentences.Add(text[start..]);
        }

        return sentences;
    }

    /// <summary>Cuts a piece into parts of at most <paramref name="max"/> UTF-16 units, never inside a surrogate pair.</summary>
    public static IEnumerable<string> HardCut(string piece, int max)
    {
        var start = 0;
        while (piece.Length - start > max)
        {
            var end = start + max;
            if (char.IsLowSurrogate(piece[end]) && char.IsHighSurrogate(piece[end - 1]))
            {
                end--;
            }

            yield return piece[start..end];
            start = end;
        }

        yield return piece[start..];
    }
}
