using RagService.Core.Text;

namespace RagService.Core.Context;

/// <summary>
/// Joins neighbouring chunks of one document back into running text. Rules:
/// <list type="bullet">
/// <item>The overlap is the longest start of the later chunk that the earlier one ends with, made of whole sentences:
/// it ends with a sentence end (。！？；.!?, maybe followed by a closing quote or bracket) and, in the earlier chunk, follows
/// one. Structured chunking repeats whole trailing sentences; chunks that merely share words are not cut. It appears once.</item>
/// <item>Between the two a space is inserted only when neither side is whitespace and neither is CJK (Chinese runs on without spaces).</item>
/// </list>
/// </summary>
public static class ChunkJoiner
{
    private const string SentenceEnds = "。！？；.!?;";
    private const string ClosingMarks = "\"'”’」』）)]";

    /// <summary>How many leading characters of <paramref name="next"/> repeat the end of <paramref name="previous"/>.</summary>
    public static int Overlap(string previous, string next)
    {
        // Shorter than the whole of the earlier chunk: an overlap is its tail, never all of it.
        for (var k = Math.Min(previous.Length - 1, next.Length); k > 0; k--)
        {
            if (EndsSentence(next.AsSpan(0, k)) && EndsSentence(previous.AsSpan(0, previous.Length - k))
                && previous.AsSpan().EndsWith(next.AsSpan(0, k), StringComparison.Ordinal))
            {
                return k;
            }
        }

        return 0;
    }

    /// <summary>True when the text, less trailing whitespace and closing marks, ends with a sentence end.</summary>
    private static bool EndsSentence(ReadOnlySpan<char> text)
    {
        text = text.TrimEnd();
        while (text.Length > 0 && ClosingMarks.Contains(text[^1]))
        {
            text = text[..^1];
        }

        return text.Length > 0 && SentenceEnds.Contains(text[^1]);
    }

    /// <summary>What <paramref name="next"/> adds after <paramref name="previous"/>: its text without the overlap, with the separator in front.</summary>
    public static string Continuation(string previous, string next)
    {
        var rest = next[Overlap(previous, next)..];
        if (rest.Length == 0 || previous.Length == 0)
        {
            return rest;
        }

        var needsSpace = !char.IsWhiteSpace(previous[^1]) && !char.IsWhiteSpace(rest[0])
            && !MixedScriptAnalyzer.IsCjk(previous, previous.Length - 1) && !MixedScriptAnalyzer.IsCjk(rest, 0);
        return needsSpace ? " " + rest : rest;
    }

    /// <summary>Chunks in reading order, consecutive in their document, as one text.</summary>
    public static string Join(IReadOnlyList<string> chunks)
    {
        if (chunks.Count == 0)
        {
            return "";
        }

        var text = new System.Text.StringBuilder(chunks[0]);
        for (var i = 1; i < chunks.Count; i++)
        {
            text.Append(Continuation(chunks[i - 1], chunks[i]));
        }

        return text.ToString();
    }
}
