using System.Globalization;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Retrieval;

/// <summary>
/// Decides from BM25 statistics alone whether a query matched anything specific in a collection; used when no
/// cross-encoder can judge relevance. Two rules, neither fitted to a data set:
/// <list type="bullet">
/// <item>Meaningful idf: without relevance judgements, the Robertson–Spärck Jones weight of a term found in df of N
/// chunks is ln((N − df + 0.5) / (df + 0.5)). It is positive only when df &lt; N / 2: a term in more than half the
/// chunks is more likely in an irrelevant chunk than not, so finding it is no evidence of relevance (BM25 implementations
/// such as Lucene add 1 inside the log only to keep such terms from subtracting score). A term is meaningful when its
/// RSJ weight is positive.</item>
/// <item>Words, not characters: a single CJK character is a morpheme the analyzer indexes for recall; when the query
/// also has multi-character terms, matching only its single characters ("有" of "你们有没有寿司") matched no word of it.</item>
/// </list>
/// The query matched when at least one meaningful term occurs in the collection (df ≥ 1). With fewer than
/// <see cref="MinimumChunks"/> chunks no term can be in fewer than half of them, so the floor cannot judge.
/// </summary>
public static class LexicalFloor
{
    /// <summary>The smallest collection in which a term can be in at least one but fewer than half of the chunks.</summary>
    public const int MinimumChunks = 3;

    /// <summary>The Robertson–Spärck Jones idf without relevance information; positive when the term is in fewer than half the chunks.</summary>
    public static double Idf(int chunks, int documentFrequency) => Math.Log((chunks - documentFrequency + 0.5) / (documentFrequency + 0.5));

    public static bool IsMeaningful(int chunks, int documentFrequency) => documentFrequency >= 1 && Idf(chunks, documentFrequency) > 0;

    /// <summary>The query's terms that occur in the collection and are meaningful there (the statistics' keys are the query terms).</summary>
    public static IReadOnlyList<string> MeaningfulMatches(TermStatistics statistics)
    {
        var wordsOnly = statistics.DocumentFrequencies.Keys.Any(t => !IsSingleCjkCharacter(t));
        return statistics.DocumentFrequencies
            .Where(t => IsMeaningful(statistics.Chunks, t.Value) && !(wordsOnly && IsSingleCjkCharacter(t.Key)))
            .Select(t => t.Key).ToList();
    }

    /// <summary>
    /// The floor stage's detail: the meaningful matches, the too-common terms with their document frequency and the
    /// single characters that did not count; a list that would be empty is left out, and a query none of whose terms
    /// occur says so.
    /// </summary>
    public static string Describe(TermStatistics statistics)
    {
        var meaningful = MeaningfulMatches(statistics);
        var found = statistics.DocumentFrequencies.Where(t => t.Value > 0 && !meaningful.Contains(t.Key)).ToList();
        var common = found.Where(t => !IsMeaningful(statistics.Chunks, t.Value))
            .OrderByDescending(t => t.Key.Length).ThenBy(t => t.Key, StringComparer.Ordinal).Take(5)
            .Select(t => $"{t.Key} ({t.Value} of {statistics.Chunks} chunks)").ToList();
        var characters = found.Where(t => IsMeaningful(statistics.Chunks, t.Value)).Select(t => t.Key).Order(StringComparer.Ordinal).Take(10).ToList();
        var parts = new List<string>();
        if (meaningful.Count > 0)
        {
            parts.Add($"meaningful (in fewer than half the chunks): {string.Join(' ', meaningful.Take(10))}");
        }

        if (common.Count > 0)
        {
            parts.Add($"too common (in half the chunks or more): {string.Join(", ", common)}");
        }

        if (characters.Count > 0)
        {
            parts.Add($"single characters of a question with words: {string.Join(' ', characters)}");
        }

        return parts.Count > 0 ? string.Join("; ", parts) : "no term of the query occurs in the collection";
    }

    private static bool IsSingleCjkCharacter(string term) =>
        term.Length > 0 && new StringInfo(term).LengthInTextElements == 1 && MixedScriptAnalyzer.IsCjk(term, 0);
}
