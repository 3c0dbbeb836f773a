namespace RagService.Core.Indexing;

/// <summary>Marks the query's matched terms in the final hits' text, for citations and the UI.</summary>
public interface IHitHighlighter
{
    /// <summary>One snippet per text (null when nothing matched), with the matched terms in &lt;em&gt;.</summary>
    /// <param name="analyzerSignature">The collection's analyzer (<see cref="Storage.CollectionSettings.Analyzer"/>), so the marks match its terms.</param>
    IReadOnlyList<string?> Highlight(string analyzerSignature, IReadOnlyList<string> queryTerms, IReadOnlyList<string> texts);
}
