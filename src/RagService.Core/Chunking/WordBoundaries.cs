namespace RagService.Core.Chunking;

/// <summary>
/// Where text may be cut when a sentence is longer than a chunk: at whitespace, or next to a character of a script
/// written without spaces between words (Chinese, Japanese), never inside a word of a space-delimited script.
/// </summary>
public static class WordBoundaries
{
    /// <summary>
    /// The largest offset in (<paramref name="start"/>, <paramref name="limit"/>] where the text may be cut; when one word
    /// fills the whole span (a URL, a long number), <paramref name="limit"/> itself, moved off a surrogate pair.
    /// </summary>
    public static int CutAtOrBefore(string text, int start, int limit)
    {
        if (limit >= text.Length)
        {
            return text.Length;
        }

        for (var p = limit; p > start; p--)
        {
            if (IsCutPoint(text, p))
            {
                return p;
            }
        }

        return char.IsHighSurrogate(text[limit - 1]) && limit - 1 > start ? limit - 1 : limit;
    }

    /// <summary>Whether the text may be cut between offsets p − 1 and p.</summary>
    public static bool IsCutPoint(string text, int p)
    {
        if (p <= 0 || p >= text.Length)
        {
            return true;
        }

        char before = text[p - 1], after = text[p];
        if (char.IsHighSurrogate(before) && char.IsLowSurrogate(after))
        {
            return false;
        }

        return char.IsWhiteSpace(before) || char.IsWhiteSpace(after) || IsUnspacedScript(before) || IsUnspacedScript(after);
    }

    /// <summary>
    /// Characters of scripts written without spaces, with their punctuation: CJK symbols, kana, ideographs (supplementary
    /// ones as surrogates), compatibility ideographs, vertical and full-width forms.
    /// </summary>
    public static bool IsUnspacedScript(char c) =>
        c is >= '\u2E80' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF' or >= '\uFE30' and <= '\uFE4F' or >= '\uFF00' and <= '\uFF60'
        || char.IsSurrogate(c);
}
