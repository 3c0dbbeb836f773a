using System.Buffers;
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
/// saturated scores, which is what BM25F avoids, so this walks the postings of both fields itself. Only documents in
/// <c>visible</c> (the caller's access, <see cref="AccessField"/>) and <c>allowed</c> (the other filter conditions) compete
/// for the top k; statistics stay the collection's.
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

        var maxDoc = reader.MaxDoc;
        var scores = ArrayPool<double>.Shared.Rent(maxDoc);
        var bodyTf = ArrayPool<int>.Shared.Rent(maxDoc);
        var headerTf = ArrayPool<int>.Shared.Rent(maxDoc);
        Array.Clear(scores, 0, maxDoc);
        Array.Clear(bodyTf, 0, maxDoc);
        Array.Clear(headerTf, 0, maxDoc);
        var touched = new List<int>();
        var matched = new List<int>();
        try
        {
            foreach (var (term, boost) in boosts)
            {
                // The term's live postings in either field, tf per field; n = how many chunks have it at all.
                matched.Clear();
                var bytes = new BytesRef(term);
                foreach (var leaf in reader.Leaves)
                {
                    Collect(leaf, BodyField, bytes, bodyTf, headerTf, matched);
                    Collect(leaf, HeaderField, bytes, headerTf, bodyTf, matched);
                }

                if (matched.Count == 0)
                {
                    continue;
                }

                var idf = Math.Log(1 + (stats.Live - matched.Count + 0.5) / (matched.Count + 0.5));
                var weight = boost * idf;
                foreach (var doc in matched)
                {
                    var tf = bodyTf[doc] + p.HeaderWeight * headerTf[doc];
                    bodyTf[doc] = 0;
                    headerTf[doc] = 0;
                    if (tf <= 0)
                    {
                        continue;
                    }

                    var norm = p.K1 * (1 - p.B + p.B * stats.Lengths[doc] / stats.AverageLength);
                    if (scores[doc] == 0)
                    {
                        touched.Add(doc);
                    }

                    scores[doc] += weight * tf / (tf + norm);
                }
            }

            return TopK(scores, touched, stats, limit, visible, allowed);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scores);
            ArrayPool<int>.Shared.Return(bodyTf);
            ArrayPool<int>.Shared.Return(headerTf);
        }
    }

    /// <summary>The best documents, ties broken by chunk id (the in-memory engine's insertion order).</summary>
    private static List<(long, double, int)> TopK(double[] scores, List<int> touched, ReaderStats stats, int limit, FixedBitSet? visible, IReadOnlySet<long>? allowed)
    {
        var heap = new PriorityQueue<int, (double Score, long NegId)>();
        foreach (var doc in touched)
        {
            if (visible is not null && !visible.Get(doc))
            {
                continue;
            }

            var id = stats.ChunkIds[doc];
            if (allowed is not null && !allowed.Contains(id))
            {
                continue;
            }

            var key = (scores[doc], -id);
            if (heap.Count < limit)
            {
                heap.Enqueue(doc, key);
            }
            else if (heap.TryPeek(out _, out var worst) && (key.Item1 > worst.Score || (key.Item1 == worst.Score && key.Item2 > worst.NegId)))
            {
                heap.EnqueueDequeue(doc, key);
            }
        }

        var result = new List<(long, double, int)>(heap.Count);
        while (heap.TryDequeue(out var doc, out var key))
        {
            result.Add((-key.NegId, key.Score, doc));
        }

        result.Reverse();
        return result;
    }

    /// <summary>
    /// Adds the term's live postings in one field to <paramref name="freqs"/> (by global doc); a doc not yet seen in the
    /// other field either is added to <paramref name="matched"/> once.
    /// </summary>
    private static void Collect(AtomicReaderContext leaf, string field, BytesRef term, int[] freqs, int[] otherFreqs, List<int> matched)
    {
        var reader = leaf.AtomicReader;
        var termsEnum = reader.GetTerms(field)?.GetEnumerator();
        if (termsEnum is null || !termsEnum.SeekExact(term))
        {
            return;
        }

        var docs = termsEnum.Docs(reader.LiveDocs, null, DocsFlags.FREQS);
        int doc;
        while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
        {
            var global = leaf.DocBase + doc;
            if (freqs[global] == 0 && otherFreqs[global] == 0)
            {
                matched.Add(global);
            }

            freqs[global] = docs.Freq;
        }
    }
}

/// <summary>Per-reader statistics BM25F needs exactly: live chunk count, lengths and average length, chunk ids by doc.</summary>
internal sealed class ReaderStats
{
    private ReaderStats(int live, double averageLength, int[] lengths, long[] chunkIds)
    {
        Live = live;
        AverageLength = averageLength;
        Lengths = lengths;
        ChunkIds = chunkIds;
    }

    public int Live { get; }

    public double AverageLength { get; }

    public int[] Lengths { get; }

    public long[] ChunkIds { get; }

    public static ReaderStats Compute(IndexReader reader)
    {
        var lengths = new int[reader.MaxDoc];
        var ids = new long[reader.MaxDoc];
        long total = 0;
        var live = 0;
        foreach (var leaf in reader.Leaves)
        {
            var atomic = leaf.AtomicReader;
            var len = atomic.GetNumericDocValues(Bm25FScorer.LengthField);
            var cid = atomic.GetNumericDocValues(Bm25FScorer.ChunkIdField);
            var liveDocs = atomic.LiveDocs;
            for (var d = 0; d < atomic.MaxDoc; d++)
            {
                var global = leaf.DocBase + d;
                lengths[global] = len is null ? 0 : (int)len.Get(d);
                ids[global] = cid?.Get(d) ?? 0;
                if (liveDocs is null || liveDocs.Get(d))
                {
                    total += lengths[global];
                    live++;
                }
            }
        }

        return new ReaderStats(live, Math.Max(1e-9, live == 0 ? 0 : (double)total / live), lengths, ids);
    }
}
