namespace RagService.Core.Lexical;

/// <summary>
/// BM25F top-k by MaxScore, document at a time, giving exactly the ranking and scores of scoring every posting.
/// Per query term and document: tf = body tf + headerWeight × header tf, contribution idf·boost × tf / (tf + k1 (1 − b +
/// b·length/avgdl)), only where tf &gt; 0; a document's score is the sum of its contributions in query-term order (the
/// same additions in the same order as exhaustive scoring, so the same bits). A term's upper bound is that formula at its
/// largest tf and shortest length. Terms are sorted by bound; once the heap is full, the cheapest terms whose bounds sum
/// below the k-th score are "non-essential": documents are found only through the other terms' postings, and a document
/// is dropped as soon as its score so far plus the bounds of the terms not yet looked at falls below the k-th score.
/// Ties rank by <see cref="IBm25FDocuments.TieKey"/>. One instance per query; call <see cref="Collect"/> per segment.
/// </summary>
public sealed class Bm25FTopK
{
    // A document is skipped only when its bound is below the k-th score by more than rounding can explain: partial sums are
    // added in another order than the final score, so they may differ from it in the last bits.
    private const double RoundingMargin = 1e-9;

    private readonly Bm25Parameters _p;
    private readonly double _averageLength;
    private readonly TopKHeap _heap;

    public Bm25FTopK(int limit, Bm25Parameters parameters, double averageLength)
    {
        _p = parameters;
        _averageLength = averageLength;
        _heap = new TopKHeap(limit);
    }

    /// <summary>The best documents collected so far, best first, as (docBase + doc, score).</summary>
    public List<(int Doc, double Score)> Results() => _heap.TakeBestFirst();

    /// <summary>The largest contribution any posting of <paramref name="term"/> can make.</summary>
    public double UpperBound(Bm25FTerm term)
    {
        var tf = term.MaxBodyFreq + _p.HeaderWeight * term.MaxHeaderFreq;
        return tf <= 0 ? 0 : term.Weight * tf / (tf + Norm(term.MinLength));
    }

    /// <summary>Scores one segment's postings (document numbers local to it) into the shared top k.</summary>
    public void Collect(IReadOnlyList<Bm25FTerm> terms, IBm25FDocuments docs, int docBase)
    {
        var m = terms.Count;
        if (m == 0)
        {
            return;
        }

        // byBound[j]: index (in query order) of the term with the j-th smallest bound; below[j]: sum of bounds 0..j.
        var bounds = new double[m];
        var byBound = new int[m];
        for (var i = 0; i < m; i++)
        {
            bounds[i] = UpperBound(terms[i]);
            byBound[i] = i;
        }

        Array.Sort((double[])bounds.Clone(), byBound);
        var below = new double[m];
        for (var j = 0; j < m; j++)
        {
            below[j] = (j == 0 ? 0 : below[j - 1]) + bounds[byBound[j]];
        }

        var cursors = new PostingCursor[m];
        for (var j = 0; j < m; j++)
        {
            cursors[j] = terms[byBound[j]].Postings;
            cursors[j].Next();
        }

        var contributions = new double[m];
        var present = new bool[m];
        var threshold = Threshold();
        var essential = Essential(below, threshold, 0);
        while (essential < m)
        {
            var doc = PostingCursor.NoMoreDocs;
            for (var j = essential; j < m; j++)
            {
                doc = Math.Min(doc, cursors[j].Doc);
            }

            if (doc == PostingCursor.NoMoreDocs)
            {
                return;
            }

            if (!docs.IsCandidate(doc))
            {
                for (var j = essential; j < m; j++)
                {
                    if (cursors[j].Doc == doc)
                    {
                        cursors[j].Next();
                    }
                }

                continue;
            }

            Array.Clear(present);
            var norm = Norm(docs.Length(doc));
            var sum = 0.0;
            for (var j = essential; j < m; j++)
            {
                if (cursors[j].Doc == doc)
                {
                    sum += Add(terms, byBound[j], cursors[j], norm, contributions, present);
                    cursors[j].Next();
                }
            }

            var dropped = false;
            for (var j = essential - 1; j >= 0; j--)
            {
                if (sum + below[j] < threshold)
                {
                    dropped = true;
                    break;
                }

                if (cursors[j].Doc < doc)
                {
                    cursors[j].Advance(doc);
                }

                if (cursors[j].Doc == doc)
                {
                    sum += Add(terms, byBound[j], cursors[j], norm, contributions, present);
                }
            }

            if (dropped)
            {
                continue;
            }

            var score = 0.0;
            var any = false;
            for (var i = 0; i < m; i++)
            {
                if (present[i])
                {
                    score += contributions[i];
                    any = true;
                }
            }

            if (any && _heap.Offer(score, docs.TieKey(doc), docBase + doc) && _heap.IsFull)
            {
                threshold = Threshold();
                essential = Essential(below, threshold, essential);
            }
        }
    }

    private double Norm(int length) => _p.K1 * (1 - _p.B + _p.B * length / _averageLength);

    /// <summary>Records the term's contribution at the cursor's document (none when its tf is 0); returns it.</summary>
    private double Add(IReadOnlyList<Bm25FTerm> terms, int term, PostingCursor cursor, double norm, double[] contributions, bool[] present)
    {
        var tf = cursor.BodyFreq + _p.HeaderWeight * cursor.HeaderFreq;
        if (tf <= 0)
        {
            return 0;
        }

        var contribution = terms[term].Weight * tf / (tf + norm);
        contributions[term] = contribution;
        present[term] = true;
        return contribution;
    }

    /// <summary>Below this a document cannot enter the top k (−∞ until the heap is full).</summary>
    private double Threshold() => _heap.IsFull ? _heap.MinScore * (1 - RoundingMargin) : double.NegativeInfinity;

    /// <summary>The first term (by bound) that is essential: the bounds of all cheaper terms together stay below the threshold.</summary>
    private static int Essential(double[] below, double threshold, int from)
    {
        while (from < below.Length && below[from] < threshold)
        {
            from++;
        }

        return from;
    }
}
