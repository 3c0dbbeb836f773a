using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using RagService.Core.Lexical;

namespace RagService.Lexical.Lucene;

/// <summary>
/// One query term in one segment: where its body and header postings are, how many live chunks hold it (either field), and
/// bounds on its frequencies from the term dictionary (a chunk holding it holds it at least once, so no chunk's tf exceeds
/// total tf − doc freq + 1, deleted chunks included).
/// </summary>
internal sealed class LeafPostings
{
    private readonly AtomicReader _reader;
    private readonly TermState? _body;
    private readonly TermState? _header;
    private readonly BytesRef _term;

    private LeafPostings(AtomicReader reader, BytesRef term, TermState? body, TermState? header, int maxBodyFreq, int maxHeaderFreq, int bodyDocFreq)
    {
        _reader = reader;
        _term = term;
        _body = body;
        _header = header;
        MaxBodyFreq = maxBodyFreq;
        MaxHeaderFreq = maxHeaderFreq;
        BodyDocFreq = bodyDocFreq;
    }

    public int MaxBodyFreq { get; }

    public int MaxHeaderFreq { get; }

    private int BodyDocFreq { get; }

    /// <summary>The term's postings in this segment, or null when neither field holds it here.</summary>
    public static LeafPostings? Seek(AtomicReader reader, BytesRef term)
    {
        var (body, bodyDocFreq, maxBody) = SeekField(reader, Bm25FScorer.BodyField, term);
        var (header, _, maxHeader) = SeekField(reader, Bm25FScorer.HeaderField, term);
        return body is null && header is null ? null : new LeafPostings(reader, term, body, header, maxBody, maxHeader, bodyDocFreq);
    }

    /// <summary>Live chunks holding the term in either field: the dictionary's count when nothing is deleted and no header holds it, else counted.</summary>
    public int LiveDocFreq()
    {
        if (_header is null && _reader.LiveDocs is null)
        {
            return BodyDocFreq;
        }

        var union = new FieldUnionCursor(Docs(Bm25FScorer.BodyField, _body, DocsFlags.NONE), Docs(Bm25FScorer.HeaderField, _header, DocsFlags.NONE));
        var count = 0;
        for (union.Next(); union.Doc != PostingCursor.NoMoreDocs; union.Next())
        {
            count++;
        }

        return count;
    }

    /// <summary>A fresh cursor over the live postings of both fields.</summary>
    public PostingCursor Cursor() =>
        new FieldUnionCursor(Docs(Bm25FScorer.BodyField, _body, DocsFlags.FREQS), Docs(Bm25FScorer.HeaderField, _header, DocsFlags.FREQS));

    private DocsEnum? Docs(string field, TermState? state, DocsFlags flags)
    {
        if (state is null)
        {
            return null;
        }

        var termsEnum = _reader.GetTerms(field)!.GetEnumerator();
        termsEnum.SeekExact(_term, state);
        return termsEnum.Docs(_reader.LiveDocs, null, flags);
    }

    private static (TermState? State, int DocFreq, int MaxFreq) SeekField(AtomicReader reader, string field, BytesRef term)
    {
        var termsEnum = reader.GetTerms(field)?.GetEnumerator();
        if (termsEnum is null || !termsEnum.SeekExact(term))
        {
            return (null, 0, 0);
        }

        var totalFreq = termsEnum.TotalTermFreq;
        var maxFreq = totalFreq < 0 ? int.MaxValue / 2 : (int)Math.Min(totalFreq - termsEnum.DocFreq + 1, int.MaxValue / 2);
        return (termsEnum.GetTermState(), termsEnum.DocFreq, maxFreq);
    }
}

/// <summary>A term's postings in the body and header fields of one segment, merged into one cursor (either may be absent).</summary>
internal sealed class FieldUnionCursor(DocsEnum? body, DocsEnum? header) : PostingCursor
{
    private int _bodyDoc = body is null ? NoMoreDocs : -1;
    private int _headerDoc = header is null ? NoMoreDocs : -1;

    public override int BodyFreq => _bodyDoc == Doc ? body!.Freq : 0;

    public override int HeaderFreq => _headerDoc == Doc ? header!.Freq : 0;

    public override void Next()
    {
        var doc = Doc;
        if (_bodyDoc == doc)
        {
            _bodyDoc = body!.NextDoc();
        }

        if (_headerDoc == doc)
        {
            _headerDoc = header!.NextDoc();
        }

        Doc = Math.Min(_bodyDoc, _headerDoc);
    }

    public override void Advance(int target)
    {
        if (_bodyDoc < target)
        {
            _bodyDoc = body!.Advance(target);
        }

        if (_headerDoc < target)
        {
            _headerDoc = header!.Advance(target);
        }

        Doc = Math.Min(_bodyDoc, _headerDoc);
    }
}
