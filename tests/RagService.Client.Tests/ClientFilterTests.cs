using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>The richer filter models (anyOf, noneOf, ranges on declared types, folder prefix) through the typed client, against the real service.</summary>
public sealed class ClientFilterTests
{
    [Fact]
    public async Task Declared_types_and_every_richer_filter_round_trip_through_the_client()
    {
        await using var f = await ClientFixture.StartAsync();
        var rag = f.Client;
        var created = await rag.CreateCollectionAsync(new CollectionSettings("kb", MetadataTypes: new Dictionary<string, string> { ["year"] = "number", ["since"] = "date" }));
        Assert.Equal(new Dictionary<string, string> { ["year"] = "number", ["since"] = "date" }, created.MetadataTypes);
        await rag.AddDocumentAsync("kb", new DocumentInput("oven manual", Id: "docs/oven.md", Metadata: new Dictionary<string, string> { ["year"] = "2020", ["kind"] = "manual", ["since"] = "2020-05-01" }));
        await rag.AddDocumentAsync("kb", new DocumentInput("oven recall", Id: "docs/news/recall.md", Metadata: new Dictionary<string, string> { ["year"] = "2024", ["kind"] = "news", ["since"] = "2024-05-01" }));
        await rag.AddDocumentAsync("kb", new DocumentInput("oven recipe", Id: "recipe.md", Metadata: new Dictionary<string, string> { ["kind"] = "recipe" }));

        async Task<string[]> Docs(SearchFilter filter) =>
            (await rag.SearchAsync("kb", "oven", new SearchOptions(TopK: 10, Mode: "bm25", Filter: filter))).Hits.Select(h => h.DocumentId).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(["docs/news/recall.md", "recipe.md"], await Docs(new SearchFilter(MetadataAnyOf: new Dictionary<string, IReadOnlyList<string>> { ["kind"] = ["news", "recipe"] })));
        Assert.Equal(["docs/oven.md", "recipe.md"], await Docs(new SearchFilter(MetadataNoneOf: new Dictionary<string, IReadOnlyList<string>> { ["kind"] = ["news"] })));
        Assert.Equal(["docs/news/recall.md"], await Docs(new SearchFilter(MetadataRange: new Dictionary<string, MetadataRange> { ["year"] = new(Gt: 2020) })));
        Assert.Equal(["docs/oven.md"], await Docs(new SearchFilter(MetadataRange: new Dictionary<string, MetadataRange> { ["since"] = new(Lt: "2021-01-01") })));
        Assert.Equal(["docs/news/recall.md", "docs/oven.md"], await Docs(new SearchFilter(DocumentIdPrefix: "docs/")));
    }
}
