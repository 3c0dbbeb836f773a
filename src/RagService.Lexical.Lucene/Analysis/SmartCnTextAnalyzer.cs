using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Cn.Smart;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Util;
using RagService.Core.Text;

namespace RagService.Lexical.Lucene.Analysis;

/// <summary>
/// The "smartcn" analyzer: Lucene's SmartChineseAnalyzer (HMM word segmentation: 你们|现在|最|便宜|的|披|萨|是|什么), after
/// the same NFKC/lower-case normalisation as the mixed analyzer. Usable with either BM25 engine: the terms are stored in SQLite.
/// </summary>
public sealed class SmartCnTextAnalyzer : ITextAnalyzer, IDisposable
{
    private readonly Analyzer _lucene = new SmartChineseAnalyzer(LuceneVersion.LUCENE_48);

    public string Signature => "smartcn/lucene-4.8/v1";

    /// <summary>The Lucene analyzer itself, for highlighting.</summary>
    public Analyzer Lucene => _lucene;

    public IReadOnlyList<string> Analyze(string text) => Terms(TextNormalizer.Normalize(text ?? ""));

    public IReadOnlyList<string> AnalyzeQuery(string text) => Terms(QuestionWords.Strip(TextNormalizer.Normalize(text ?? "")));

    public void Dispose() => _lucene.Dispose();

    private List<string> Terms(string normalized)
    {
        var terms = new List<string>();
        if (normalized.Length == 0)
        {
            return terms;
        }

        using var stream = _lucene.GetTokenStream("text", normalized);
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            // A term never holds a space: the terms are stored space-joined.
            var value = term.ToString();
            if (value.Length > 0 && !value.Contains(' ', StringComparison.Ordinal))
            {
                terms.Add(value);
            }
        }

        stream.End();
        return terms;
    }
}
