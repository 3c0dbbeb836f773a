using RagService.Core.Lexical;

namespace RagService.Lexical.Memory;

/// <summary>A term's occurrence in one document slot: its frequency in the body and in the header.</summary>
internal readonly record struct Posting(int Slot, ushort BodyTf, ushort HeaderTf);

/// <summary>
/// One term's postings in slot order, its live document frequency, and bounds over every posting it holds (the largest
/// body and header tf, the shortest document length) for <see cref="Bm25FTopK"/>. Removing a document lowers the
/// frequency but leaves the bounds as they are (still bounds); compaction recomputes them.
/// </summary>
internal sealed class TermPostings
{
    public List<Posting> Postings { get; private set; } = [];

    public int DocFreq { get; set; }

    public int MaxBodyTf { get; private set; }

    public int MaxHeaderTf { get; private set; }

    public int MinLength { get; private set; } = int.MaxValue;

    /// <summary>Appends a posting for a new slot (slots only grow, so the list stays in order).</summary>
    public void Add(Posting posting, int length)
    {
        Postings.Add(posting);
        DocFreq++;
        Widen(posting, length);
    }

    /// <summary>Drops postings of slots mapped to −1 and renumbers the rest; <paramref name="lengths"/> is by old slot.</summary>
    public void Compact(int[] newSlot, IReadOnlyList<int> lengths)
    {
        var kept = new List<Posting>(DocFreq);
        MaxBodyTf = MaxHeaderTf = 0;
        MinLength = int.MaxValue;
        foreach (var p in Postings)
        {
            if (newSlot[p.Slot] >= 0)
            {
                kept.Add(p with { Slot = newSlot[p.Slot] });
                Widen(p, lengths[p.Slot]);
            }
        }

        Postings = kept;
    }

    private void Widen(Posting posting, int length)
    {
        MaxBodyTf = Math.Max(MaxBodyTf, posting.BodyTf);
        MaxHeaderTf = Math.Max(MaxHeaderTf, posting.HeaderTf);
        MinLength = Math.Min(MinLength, length);
    }
}

/// <summary>Reads a term's postings for one search; <see cref="Advance"/> gallops then bisects.</summary>
internal sealed class PostingListCursor(List<Posting> postings) : PostingCursor
{
    private int _index = -1;

    public override int BodyFreq => postings[_index].BodyTf;

    public override int HeaderFreq => postings[_index].HeaderTf;

    public override void Next() => MoveTo(_index + 1);

    public override void Advance(int target)
    {
        var count = postings.Count;
        var low = _index + 1;
        var step = 1;
        var high = low;
        while (high < count && postings[high].Slot < target)
        {
            low = high + 1;
            high += step;
            step *= 2;
        }

        high = Math.Min(high, count);
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (postings[mid].Slot < target)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        MoveTo(low);
    }

    private void MoveTo(int index)
    {
        _index = index;
        Doc = index < postings.Count ? postings[index].Slot : NoMoreDocs;
    }
}
