namespace RagService.Core.Chunking;

/// <summary>
/// Where a sentence of a space-delimited script (English, French, ...) ends: at . ? or ! followed, after any closing
/// quotes or brackets, by whitespace or the end of the text. Not an end: a period closing an abbreviation ("e.g.", "U.S.",
/// "Mr."), an initial ("John F. Kennedy"), or any mark followed by a word in lower case (a new sentence starts in upper case).
/// A decimal ("3.5") never ends one, since its period is not followed by whitespace.
/// </summary>
public static class LatinSentenceEnds
{
    private const string ClosingMarks = "\"'”’)]}»」』）";

    // Titles and shorthands that are always followed by more of their sentence.
    private static readonly HashSet<string> NeverFinal = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "st", "mt", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "rev",
        "vs", "cf", "viz", "approx", "fig", "figs", "eq",
    };

    // Abbreviations that may also close a sentence: they end one only when the next word starts in upper case.
    private static readonly HashSet<string> MaybeFinal = new(StringComparer.OrdinalIgnoreCase)
    {
        "etc", "inc", "ltd", "co", "corp", "jr", "al", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
        "oct", "nov", "dec",
    };

    /// <summary>
    /// When <paramref name="i"/> is a sentence-ending mark, the offset just past it and its closing marks (the following
    /// whitespace is not included); otherwise -1.
    /// </summary>
    public static int EndAt(string text, int i)
    {
        var mark = text[i];
        if (mark is not ('.' or '?' or '!'))
        {
            return -1;
        }

        var end = i + 1;
        while (end < text.Length && ClosingMarks.Contains(text[end], StringComparison.Ordinal))
        {
            end++;
        }

        if (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            return -1;
        }

        var next = end;
        while (next < text.Length && char.IsWhiteSpace(text[next]))
        {
            next++;
        }

        var nextChar = next < text.Length ? text[next] : (char?)null;
        if (nextChar is { } lower && char.IsLower(lower))
        {
            return -1;
        }

        return mark == '.' && AbbreviationContinues(text, i, nextChar) ? -1 : end;
    }

    private static bool AbbreviationContinues(string text, int period, char? nextChar)
    {
        var start = period;
        while (start > 0 && (text[start - 1] == '.' || IsLatinLetter(text[start - 1])))
        {
            start--;
        }

        var word = text[start..period];
        if (word.Length == 0)
        {
            return false;
        }

        var parts = word.Split('.');
        if (parts.Length == 1 && word.Length == 1)
        {
            return true;
        }

        // Dotted initialisms: U.S., e.g., i.e., Ph.D.; not "file.txt" or the dots of an ellipsis.
        if (parts.Length > 1)
        {
            return parts.All(p => p.Length is 1 or 2);
        }

        if (NeverFinal.Contains(word))
        {
            return true;
        }

        return MaybeFinal.Contains(word) && !(nextChar is null || char.IsUpper(nextChar.Value));
    }

    private static bool IsLatinLetter(char c) => char.IsLetter(c) && !WordBoundaries.IsUnspacedScript(c);
}
