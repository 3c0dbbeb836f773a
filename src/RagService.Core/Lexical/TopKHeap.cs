namespace RagService.Core.Lexical;

/// <summary>
/// The best <c>k</c> (score, tie key, document) seen so far: a binary min-heap in three parallel arrays with the entry that
/// would be dropped next at the root (the lowest score; among equal scores, the largest tie key).
/// </summary>
public sealed class TopKHeap
{
    private readonly double[] _scores;
    private readonly long[] _ties;
    private readonly int[] _docs;

    public TopKHeap(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _scores = new double[capacity];
        _ties = new long[capacity];
        _docs = new int[capacity];
    }

    public int Count { get; private set; }

    public bool IsFull => Count == _scores.Length;

    /// <summary>The lowest score kept once full; a document needs at least this much to get in.</summary>
    public double MinScore => _scores[0];

    /// <summary>Keeps the entry when there is room or it beats the root; true when it was kept.</summary>
    public bool Offer(double score, long tie, int doc)
    {
        if (!IsFull)
        {
            var i = Count++;
            Place(i, score, tie, doc);
            SiftUp(i);
            return true;
        }

        if (!Ranks(score, tie, _scores[0], _ties[0]))
        {
            return false;
        }

        Place(0, score, tie, doc);
        SiftDown(0);
        return true;
    }

    /// <summary>The kept entries, best first; empties the heap.</summary>
    public List<(int Doc, double Score)> TakeBestFirst()
    {
        var result = new (int, double)[Count];
        for (var n = Count - 1; n >= 0; n--)
        {
            result[n] = (_docs[0], _scores[0]);
            Count--;
            if (Count > 0)
            {
                Place(0, _scores[Count], _ties[Count], _docs[Count]);
                SiftDown(0);
            }
        }

        return [.. result];
    }

    /// <summary>Whether (score, tie) ranks above (otherScore, otherTie).</summary>
    private static bool Ranks(double score, long tie, double otherScore, long otherTie) =>
        score > otherScore || (score == otherScore && tie < otherTie);

    private void Place(int i, double score, long tie, int doc)
    {
        _scores[i] = score;
        _ties[i] = tie;
        _docs[i] = doc;
    }

    private void Swap(int i, int j)
    {
        (_scores[i], _scores[j]) = (_scores[j], _scores[i]);
        (_ties[i], _ties[j]) = (_ties[j], _ties[i]);
        (_docs[i], _docs[j]) = (_docs[j], _docs[i]);
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Ranks(_scores[parent], _ties[parent], _scores[i], _ties[i]))
            {
                return;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var worst = i;
            var left = 2 * i + 1;
            var right = left + 1;
            if (left < Count && Ranks(_scores[worst], _ties[worst], _scores[left], _ties[left]))
            {
                worst = left;
            }

            if (right < Count && Ranks(_scores[worst], _ties[worst], _scores[right], _ties[right]))
            {
                worst = right;
            }

            if (worst == i)
            {
                return;
            }

            Swap(i, worst);
            i = worst;
        }
    }
}
