namespace RagService.Core.Chunking;

/// <summary>
/// Whole sentences packed into chunks: every 。！？；\n ends a sentence, and so does a Latin
/// sentence end (<see cref="LatinSentenceEnds"/>); sentences longer than the maximum are cut into pieces of at most the
/// maximum on word boundaries (<see cref="WordBoundaries"/>); pieces are packed greedily while the chunk stays within the
/// maximum, and whitespace-only chunks are dropped. On Chinese text without Latin sentence ends or Latin words at a
/// hard cut, the chunks are those of the Lucene BM25 baseline of docs/retrieval.md, offset for offset.
/// </summary>
public static class SentencePackChunker
{
    /// <summary>Returns [start, end) offsets of the chunks in <paramref name="text"/>.</summary>
    public static List<(int Start, int End)> Cut(string text, int maxChars)
    {
        var pieces = new List<(int Start, int End)>();
        var start = 0;
        foreach (var end in SentenceSplitter.Ends(text, SentenceSplitter.SentencePackDelimiters, keepClosingMarks: false))
        {
            if (end > start)
            {
                AddCut(text, start, end, maxChars, pieces);
            }

            start = end;
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

    private static void AddCut(string text, int start, int end, int max, List<(int, int)> pieces)
    {
        while (end - start > max)
        {
            var cut = WordBoundaries.CutAtOrBefore(text, start, start + max);
            pieces.Add((start, cut));
            start = cut;
        }

        pieces.Add((start, end));
    }
}
