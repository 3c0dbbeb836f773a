using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace RagService.Lexical.Lucene;

/// <summary>
/// Feeds terms our own analyzer already produced (stored in SQLite) to Lucene unchanged, so both engines index exactly
/// the same terms with the same frequencies.
/// </summary>
internal sealed class TermListTokenStream : TokenStream
{
    private readonly IReadOnlyList<string> _terms;
    private readonly ICharTermAttribute _term;
    private int _next;

    public TermListTokenStream(IReadOnlyList<string> terms)
    {
        _terms = terms;
        _term = AddAttribute<ICharTermAttribute>();
    }

    public override bool IncrementToken()
    {
        if (_next >= _terms.Count)
        {
            return false;
        }

        ClearAttributes();
        _term.SetEmpty().Append(_terms[_next++]);
        return true;
    }

    public override void Reset()
    {
        base.Reset();
        _next = 0;
    }
}
