namespace RagService.Core.Chunking;

/// <summary>
/// The Lucene anchor's chunker, reproduced exactly so both systems index identical chunks:
/// every 。！？；\n ends a sentence, sentences longer than the maximum are hard-cut, pieces are packed
/// greedily while the chunk stays within the maximum, and whitespace-only chunks are dropped.
/// </summary>
public static class SentencePackChunker
{
    /// <summary>Returns [start, end) offsets of the chunks in <paramref name="text"/>.</summary>
    public static List<(int Start, int End)> Cut(string text, int maxChars)
    {
        var pieces = new List<(int Start, int End)>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (SentenceSplitter.AnchorDelimiters.Contains(text[i], StringComparison.Ordinal) || i == text.Length - 1)
            {
                AddHardCut(text, start, i + 1, maxChars, pieces);
                start = i + 1;
            }
        }

        var chunks = new List<(int Start, int End)>();
        (int Start, int End)? current = null;
        foreach (var p in pieces)
        {
            if (current is { } c && p.End - c.Start <= maxChars)
            {
                current = (c.Start, p.End);
            }
            else
            {
                if (current is { } done)
                {
                    chunks.Add(done);
                }

                current = p;
            }
        }

        if (current is { } last)
        {
            chunks.Add(last);
        }

        chunks.RemoveAll(c => text.AsSpan(c.Start, c.End - c.Start).IsWhiteSpace());
        return chunks;
    }

    private static void AddHardCut(string text, int start, int end, int max, List<(int, int)> pieces)
    {
        while (end - start > max)
        {
            var cut = start + max;
            if (char.IsHighSurrogate(text[cut - 1]))
            {
                cut--;
            }

            pieces.Add((start, cut));
            start = cut;
        }

        pieces.Add((start, end));
    }
}
