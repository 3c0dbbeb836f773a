using RagService.Core.Lexical;
using RagService.Core.Storage;

namespace RagService.Lexical.Memory;

/// <summary>
/// An in-memory inverted index over a chunk's body and its contextual header, scored with BM25F: a term's frequency is
/// body tf + headerWeight × header tf, saturated once against the whole length (body + header), times Lucene's idf
/// ln(1 + (N − n + 0.5)/(n + 0.5)); a repeated query term counts once per repeat. Combining the fields before saturation
/// beat summing per-field BM25 scores by 8 points of recall@1 on CMRC 2018 with headers (see docs/retrieval.md).
/// Removed documents are tombstoned and compacted away when they pile up.
/// Thread-safe: searches run in parallel; an add or remove holds the write lock only while it edits postings.
/// </summary>
public sealed class LexicalIndex : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly List<TermPostings> _terms = [];
    private readonly List<long> _docIds = [];
    private readonly List<int> _docLengths = [];
    private readonly List<int[]?> _docTerms = [];
    private readonly Dictionary<long, int> _slotOf = [];
    private long _totalLength;
    private int _dead;

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _slotOf.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Removed or replaced documents whose postings are still stored, until the next compaction.</summary>
    public int DeletedCount
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _dead;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds a document, replacing any document with the same id.</summary>
    public void Add(long id, IReadOnlyList<string> body, IReadOnlyList<string> header)
    {
        var counts = new Dictionary<string, (int Body, int Header)>(StringComparer.Ordinal);
        foreach (var t in body)
        {
            var c = counts.GetValueOrDefault(t);
            counts[t] = (c.Body + 1, c.Header);
        }

        foreach (var t in header)
        {
            var c = counts.GetValueOrDefault(t);
            counts[t] = (c.Body, c.Header + 1);
        }

        _lock.EnterWriteLock();
        try
        {
            RemoveLocked(id);
            var slot = _docIds.Count;
            _docIds.Add(id);
            _slotOf[id] = slot;
            _docLengths.Add(body.Count + header.Count);
            _totalLength += body.Count + header.Count;
            var termIds = new int[counts.Count];
            var i = 0;
            foreach (var (term, (tfBody, tfHeader)) in counts)
            {
                if (!_termIds.TryGetValue(term, out var tid))
                {
                    tid = _terms.Count;
                    _termIds[term] = tid;
                    _terms.Add(new TermPostings());
                }

                _terms[tid].Add(new Posting(slot, (ushort)Math.Min(tfBody, ushort.MaxValue), (ushort)Math.Min(tfHeader, ushort.MaxValue)), body.Count + header.Count);
                termIds[i++] = tid;
            }

            _docTerms.Add(termIds);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Remove(long id)
    {
        _lock.EnterWriteLock();
        try
        {
            var removed = RemoveLocked(id);
            if (_dead > 1024 && _dead > _docIds.Count / 3)
            {
                CompactLocked();
            }

            return removed;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The best <paramref name="limit"/> documents for the query terms, best first; ties in insertion order.</summary>
    public IReadOnlyList<(long Id, double Score)> Search(IReadOnlyList<string> queryTerms, int limit, Bm25Parameters p, Func<long, bool>? filter = null)
    {
        if (queryTerms.Count == 0 || limit <= 0)
        {
            return [];
        }

        var boosts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in queryTerms)
        {
            boosts[t] = boosts.GetValueOrDefault(t) + 1;
        }

        _lock.EnterReadLock();
        try
        {
            var live = _slotOf.Count;
            if (live == 0)
            {
                return [];
            }

            var avgdl = Math.Max(1e-9, (double)_totalLength / live);
            var terms = new List<Bm25FTerm>(boosts.Count);
            foreach (var (term, boost) in boosts)
            {
                if (!_termIds.TryGetValue(term, out var tid) || _terms[tid].DocFreq == 0)
                {
                    continue;
                }

                var postings = _terms[tid];
                var idf = Math.Log(1 + (live - postings.DocFreq + 0.5) / (postings.DocFreq + 0.5));
                terms.Add(new Bm25FTerm(new PostingListCursor(postings.Postings), boost * idf, postings.MaxBodyTf, postings.MaxHeaderTf, postings.MinLength));
            }

            var top = new Bm25FTopK(limit, p, avgdl);
            top.Collect(terms, new Documents(this, filter), 0);
            return top.Results().Select(h => (_docIds[h.Doc], h.Score)).ToList();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>How many live documents there are and in how many of them each term occurs.</summary>
    public TermStatistics Statistics(IReadOnlyList<string> terms)
    {
        _lock.EnterReadLock();
        try
        {
            var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var term in terms)
            {
                frequencies[term] = _termIds.TryGetValue(term, out var tid) ? _terms[tid].DocFreq : 0;
            }

            return new TermStatistics(_slotOf.Count, frequencies);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    private bool RemoveLocked(long id)
    {
        if (!_slotOf.Remove(id, out var slot))
        {
            return false;
        }

        _totalLength -= _docLengths[slot];
        foreach (var tid in _docTerms[slot]!)
        {
            _terms[tid].DocFreq--;
        }

        _docTerms[slot] = null;
        _dead++;
        return true;
    }

    /// <summary>Rewrites postings without tombstoned documents, renumbering slots in insertion order.</summary>
    private void CompactLocked()
    {
        var newSlot = new int[_docIds.Count];
        var next = 0;
        for (var s = 0; s < _docIds.Count; s++)
        {
            newSlot[s] = _docTerms[s] is null ? -1 : next++;
        }

        foreach (var term in _terms)
        {
            term.Compact(newSlot, _docLengths);
        }

        for (var s = _docIds.Count - 1; s >= 0; s--)
        {
            if (newSlot[s] < 0)
            {
                _docIds.RemoveAt(s);
                _docLengths.RemoveAt(s);
                _docTerms.RemoveAt(s);
            }
        }

        _slotOf.Clear();
        for (var s = 0; s < _docIds.Count; s++)
        {
            _slotOf[_docIds[s]] = s;
        }

        _dead = 0;
    }

    /// <summary>The search's view of the documents: tombstoned or filtered-out slots are not candidates; ties go to the earlier slot.</summary>
    private sealed class Documents(LexicalIndex index, Func<long, bool>? filter) : IBm25FDocuments
    {
        public bool IsCandidate(int doc) => index._docTerms[doc] is not null && (filter is null || filter(index._docIds[doc]));

        public int Length(int doc) => index._docLengths[doc];

        public long TieKey(int doc) => doc;
    }
}
