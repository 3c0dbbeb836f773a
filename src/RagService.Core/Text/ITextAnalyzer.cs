namespace RagService.Core.Text;

/// <summary>Turns text into the terms the BM25 index stores and matches. Index and query use the same analyzer.</summary>
public interface ITextAnalyzer
{
    /// <summary>A short, stable description stored with each collection so an analyzer change is detected.</summary>
    string Signature { get; }

    /// <summary>Terms of a stored text.</summary>
    IReadOnlyList<string> Analyze(string text);

    /// <summary>Terms of a question: as <see cref="Analyze"/>, without words that only make it a question.</summary>
    IReadOnlyList<string> AnalyzeQuery(string text);
}
