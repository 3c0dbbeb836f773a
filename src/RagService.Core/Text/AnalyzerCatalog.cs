using RagService.Core.Storage;

namespace RagService.Core.Text;

/// <summary>
/// The analyzers a collection can be created with, by name ("mixed", "smartcn"); the first is the default. A collection
/// keeps its analyzer's signature in its settings, so its documents and queries are always analyzed the same way.
/// </summary>
public sealed class AnalyzerCatalog
{
    private readonly List<(string Name, ITextAnalyzer Analyzer)> _analyzers;

    public AnalyzerCatalog(params (string Name, ITextAnalyzer Analyzer)[] analyzers)
    {
        if (analyzers.Length == 0)
        {
            throw new ArgumentException("at least one analyzer is needed", nameof(analyzers));
        }

        _analyzers = [.. analyzers];
    }

    /// <summary>A catalog of one analyzer, named "mixed".</summary>
    public AnalyzerCatalog(ITextAnalyzer only)
        : this(("mixed", only))
    {
    }

    public ITextAnalyzer Default => _analyzers[0].Analyzer;

    public string DefaultName => _analyzers[0].Name;

    public IEnumerable<string> Names => _analyzers.Select(a => a.Name);

    public ITextAnalyzer? Named(string name) => _analyzers.FirstOrDefault(a => a.Name == name).Analyzer;

    /// <summary>The collection's analyzer by its stored signature; collections from before analyzers were chosen get the default.</summary>
    public ITextAnalyzer For(CollectionSettings settings) =>
        _analyzers.FirstOrDefault(a => a.Analyzer.Signature == settings.Analyzer).Analyzer ?? Default;

    public string NameOf(CollectionSettings settings) =>
        _analyzers.FirstOrDefault(a => a.Analyzer.Signature == settings.Analyzer).Name ?? DefaultName;
}
