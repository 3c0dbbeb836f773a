using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using RagService.Core.Lexical;

namespace RagService.Lexical.Lucene;

/// <summary>
/// BM25F over a Lucene index, the same formula as the in-memory engine (RagService.Lexical.Memory.LexicalIndex): per query term,
/// tf = body tf + headerWeight × header tf, saturated once against the chunk's whole length (body + header terms, kept
/// exactly in a doc-values field rather than Lucene's lossy one-byte norm), times idf ln(1 + (N − n + 0.5)/(n + 0.5)) with
/// n = live chunks having the term in either field. Lucene's own similarities score each field separately and sum the
/// saturated scores, which is what BM25F avoids, so this walks the postings of both fields itself: per segment, each
/// term's body and header postings merged into one cursor, fed to <see cref="Bm25FTopK"/> (MaxScore) with bounds from
/// the term dictionary and the segment's shortest length. Only documents in <c>visible</c> (the caller's access,
/// <see cref="AccessField"/>) and <c>allowed</c> (the other filter conditions) compete for the top k; statistics stay the
/// collection's.
/// </summary>
internal static class Bm25FScorer
{
    public const string BodyField = "body";
    public const string HeaderField = "header";
    public const string LengthField = "len";
    public const string ChunkIdField = "cid";

    public static List<(long ChunkId, double Score, int Doc)> Search(
        IndexReader reader, ReaderStats stats, IReadOnlyList<string> queryTerms, int limit, Bm25Parameters p, FixedBitSet? visible, IReadOnlySet<long>? allowed)
    {
        if (queryTerms.Count == 0 || limit <= 0 || stats.Live == 0)
        {
            return [];
        }

        var boosts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in queryTerms)
        {
            boosts[t] = boosts.GetValueOrDefault(t) + 1;
        }

        var leaves = reader.Leaves;
        // terms[leaf]: the query terms that leaf holds, in query order.
        var terms = leaves.Select(_ => new List<Bm25FTerm>(boosts.Count)).ToArray();
        foreach (var (term, boost) in boosts)
        {
            var bytes = new BytesRef(term);
            var inLeaves = leaves.Select(leaf => LeafPostings.Seek(leaf.AtomicReader, bytes)).ToArray();
            var docFreq = inLeaves.Sum(l => l?.LiveDocFreq() ?? 0);
            if (docFreq == 0)
            {
                continue;
            }

            var idf = Math.Log(1 + (stats.Live - docFreq + 0.5) / (docFreq + 0.5));
            for (var l = 0; l < leaves.Count; l++)
            {
                if (inLeaves[l] is { } postings)
                {
                    terms[l].Add(new Bm25FTerm(postings.Cursor(), boost * idf, postings.MaxBodyFreq, postings.MaxHeaderFreq, stats.MinLengths[l]));
                }
            }
        }

        var top = new Bm25FTopK(Math.Min(limit, stats.Live), p, stats.AverageLength);
        for (var l = 0; l < leaves.Count; l++)
        {
            top.Collect(terms[l], new LeafDocuments(stats, leaves[l].DocBase, visible, allowed), leaves[l].DocBase);
        }

        return top.Results().Select(h => (stats.ChunkIds[h.Doc], h.Score, h.Doc)).ToList();
    }

    /// <summary>One segment's documents as the top-k search sees them (deleted ones never reach it: the postings skip them).</summary>
    private sealed class LeafDocuments(ReaderStats stats, int docBase, FixedBitSet? visible, IReadOnlySet<long>? allowed) : IBm25FDocuments
    {
        public bool IsCandidate(int doc) =>
            (visible is null || visible.Get(docBase + doc)) && (allowed is null || allowed.Contains(stats.ChunkIds[docBase + doc]));

        public int Length(int doc) => stats.Lengths[docBase + doc];

        public long TieKey(int doc) => stats.ChunkIds[docBase + doc];
    }
}

/// <summary>Per-reader statistics BM25F needs exactly: live chunk count, lengths and average length, chunk ids by doc.</summary>
internal sealed class ReaderStats
{
    private ReaderStats(int live, double averageLength, int[] lengths, long[] chunkIds, int[] minLengths)
    {
        MinLengths = minLengths;
        Live = live;
        AverageLength = averageLength;
        Lengths = lengths;
        ChunkIds = chunkIds;
    }

    public int Live { get; }

    public double AverageLength { get; }

    public int[] Lengths { get; }

    public long[] ChunkIds { get; }

    /// <summary>The shortest length in each leaf (by leaf order), deleted documents included.</summary>
    public int[] MinLengths { get; }

    public static ReaderStats Compute(IndexReader reader)
    {
        var lengths = new int[reader.MaxDoc];
        var ids = new long[reader.MaxDoc];
        var minLengths = new int[reader.Leaves.Count];
        long total = 0;
        var live = 0;
        foreach (var leaf in reader.Leaves)
        {
            minLengths[leaf.Ord] = int.MaxValue;
            var atomic = leaf.AtomicReader;
            var len = atomic.GetNumericDocValues(Bm25FScorer.LengthField);
            var cid = atomic.GetNumericDocValues(Bm25FScorer.ChunkIdField);
            var liveDocs = atomic.LiveDocs;
            for (var d = 0; d < atomic.MaxDoc; d++)
            {
                var global = leaf.DocBase + d;
                lengths[global] = len is null ? 0 : (int)len.Get(d);
                ids[global] = cid?.Get(d) ?? 0;
                minLengths[leaf.Ord] = Math.Min(minLengths[leaf.Ord], lengths[global]);
                if (liveDocs is null || liveDocs.Get(d))
                {
                    total += lengths[global];
                    live++;
                }
            }
        }

        return new ReaderStats(live, Math.Max(1e-9, live == 0 ? 0 : (double)total / live), lengths, ids, minLengths);
    }
}
