using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;
using RagService.Core.Indexing;

namespace RagService.Lexical.Lucene.Analysis;

/// <summary>
/// Highlighted snippets with Lucene.Net.Highlighter: the chunk text is re-analyzed with the collection's analyzer as a Lucene
/// analyzer (offsets into the original text) and the best fragment gets the query's terms in &lt;em&gt;.
/// Only the hits a search returns are highlighted, never the candidates.
/// </summary>
public sealed class LuceneHitHighlighter(int snippetChars = 160) : IHitHighlighter, IDisposable
{
    private const string Field = "text";
    private readonly Analyzer _mixed = new MixedScriptHighlightAnalyzer();
    private readonly Lazy<SmartCnTextAnalyzer> _smartCn = new(() => new SmartCnTextAnalyzer());

    public IReadOnlyList<string?> Highlight(string analyzerSignature, IReadOnlyList<string> queryTerms, IReadOnlyList<string> texts)
    {
        var analyzer = analyzerSignature.StartsWith("smartcn", StringComparison.Ordinal) ? _smartCn.Value.Lucene : _mixed;
        var query = new BooleanQuery();
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal).Take(BooleanQuery.MaxClauseCount))
        {
            query.Add(new TermQuery(new Term(Field, term)), Occur.SHOULD);
        }

        var highlighter = new Highlighter(new SimpleHTMLFormatter("<em>", "</em>"), new QueryScorer(query, Field))
        {
            TextFragmenter = new SimpleFragmenter(snippetChars),
        };
        return texts.Select(text => Snippet(highlighter, analyzer, text)).ToList();
    }

    public void Dispose()
    {
        _mixed.Dispose();
        if (_smartCn.IsValueCreated)
        {
            _smartCn.Value.Dispose();
        }
    }

    private static string? Snippet(Highlighter highlighter, Analyzer analyzer, string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            using var tokens = analyzer.GetTokenStream(Field, text);
            return highlighter.GetBestFragment(tokens, text);
        }
        catch (InvalidTokenOffsetsException)
        {
            return null;
        }
    }
}
