using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Tests;

/// <summary>Which analyzer a collection gets: by the signature stored with it, the first (default) one when none matches.</summary>
public sealed class AnalyzerCatalogTests
{
    private static readonly MixedScriptAnalyzer Mixed = new();
    private static readonly MixedScriptAnalyzer Bigram = new(CjkSegmentation.Bigram);

    [Fact]
    public void A_collection_gets_the_analyzer_of_its_stored_signature_and_older_ones_the_default()
    {
        var catalog = new AnalyzerCatalog(("mixed", Mixed), ("bigram", Bigram));
        Assert.Same(Bigram, catalog.For(new CollectionSettings { Analyzer = "mixed-script/v1/Bigram" }));
        Assert.Equal("bigram", catalog.NameOf(new CollectionSettings { Analyzer = "mixed-script/v1/Bigram" }));
        Assert.Same(Mixed, catalog.For(new CollectionSettings { Analyzer = "" }));
        Assert.Equal("mixed", catalog.NameOf(new CollectionSettings { Analyzer = "unknown/v9" }));
        Assert.Same(Mixed, catalog.Default);
        Assert.Equal("mixed", catalog.DefaultName);
        Assert.Equal(["mixed", "bigram"], catalog.Names);
        Assert.Same(Bigram, catalog.Named("bigram"));
        Assert.Null(catalog.Named("smartcn"));
    }

    [Fact]
    public void A_catalog_of_one_analyzer_names_it_mixed_and_an_empty_one_is_refused()
    {
        var single = new AnalyzerCatalog(Bigram);
        Assert.Equal("mixed", single.DefaultName);
        Assert.Same(Bigram, single.Named("mixed"));
        Assert.Throws<ArgumentException>(() => new AnalyzerCatalog(Array.Empty<(string, ITextAnalyzer)>()));
    }
}
