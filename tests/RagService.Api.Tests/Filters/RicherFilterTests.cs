using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static RagService.Api.Tests.Hardening.ProblemAssertions;

namespace RagService.Api.Tests.Filters;

/// <summary>
/// metadataAnyOf / metadataNoneOf / metadataRange / documentIdPrefix over real HTTP, through both lexical engines and
/// the embedded vector engine, with the expected documents worked out by hand; and every malformed filter or typed
/// metadata value refused with a 400 naming the field.
/// </summary>
public sealed class RicherFilterTests
{
    /// <summary>Every text holds 水果 (the query), so the filter alone decides which documents come back.</summary>
    private static readonly (string Id, Dictionary<string, string> Metadata)[] Documents =
    [
        ("shop/fruit/apple.md", new() { ["kind"] = "fruit", ["price"] = "12.5", ["since"] = "2024-03-01" }),
        ("shop/fruit/grape.md", new() { ["kind"] = "fruit", ["price"] = "30", ["since"] = "2024-03-01T08:00:00+09:00" }), // 2024-02-29T23:00Z
        ("shop/drinks/juice.md", new() { ["kind"] = "drink", ["price"] = "8" }),
        ("shop/fruity.md", new() { ["kind"] = "promo" }),
    ];

    public static TheoryData<string, string, string[]> Cases => new()
    {
        { "anyOf", """{"metadataAnyOf":{"kind":["fruit","drink"]}}""", ["shop/drinks/juice.md", "shop/fruit/apple.md", "shop/fruit/grape.md"] },
        { "noneOf", """{"metadataNoneOf":{"kind":["fruit"]}}""", ["shop/drinks/juice.md", "shop/fruity.md"] },
        { "number range, numeric string bound", """{"metadataRange":{"price":{"gt":8,"lte":"30"}}}""", ["shop/fruit/apple.md", "shop/fruit/grape.md"] },
        { "date range in UTC", """{"metadataRange":{"since":{"gte":"2024-03-01"}}}""", ["shop/fruit/apple.md"] },
        { "date range with an offset bound", """{"metadataRange":{"since":{"lt":"2024-03-01T09:00:00+09:00"}}}""", ["shop/fruit/grape.md"] },
        { "folder", """{"documentIdPrefix":"shop/fruit/"}""", ["shop/fruit/apple.md", "shop/fruit/grape.md"] },
        { "folder and range", """{"documentIdPrefix":"shop/","metadataRange":{"price":{"lt":10}}}""", ["shop/drinks/juice.md"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_engine_returns_the_hand_worked_documents(string name, string filter, string[] expected)
    {
        foreach (var (settings, mode) in new (string[] Settings, string Mode)[]
        {
            (["--Rag:Bm25Engine=memory"], "bm25"),
            (["--Rag:Bm25Engine=lucene"], "bm25"),
            ([.. TestModelDirectories.ServiceArguments(), "--Rag:Bm25Engine=memory"], "dense"),
        })
        {
            await using var host = await StartAsync(settings);
            using var body = new StringContent($$"""{"query":"水果","topK":10,"mode":"{{mode}}","filter":{{filter}}}""", Encoding.UTF8, "application/json");
            var response = await host.Client.PostAsync("/v1/collections/kb/search", body);
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, $"{name}: {json}");
            var docs = json.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).Distinct().Order(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(docs), $"{name} ({settings[^1]}, {mode}): expected [{string.Join(", ", expected)}], got [{string.Join(", ", docs)}]");
        }
    }

    public static TheoryData<string, string> BadFilters => new()
    {
        { """{"metadataRange":{"kind":{"gte":1}}}""", "'filter.metadataRange' key \"kind\" is not declared" },
        { """{"metadataRange":{"price":{}}}""", "needs at least one of gt, gte, lt, lte" },
        { """{"metadataRange":{"price":{"gte":"cheap"}}}""", "'filter.metadataRange.price.gte' must be a number" },
        { """{"metadataRange":{"since":{"lt":20240301}}}""", "'filter.metadataRange.since.lt' must be a date" },
        { """{"metadataRange":{"since":{"lt":"2024-03-01T08:00:00"}}}""", "'filter.metadataRange.since.lt' must be a date" },
        { """{"metadataAnyOf":{"kind":[]}}""", "'filter.metadataAnyOf' value of \"kind\" must be a list of 1 to" },
        { """{"metadataNoneOf":{"kind":[null]}}""", "'filter.metadataNoneOf' value of \"kind\" must be a list" },
        { """{"metadataAnyOf":{"a\"b":["x"]}}""", "'filter.metadataAnyOf' key" },
        { """{"documentIdPrefix":"shop/fruit"}""", "'filter.documentIdPrefix' must be a folder ending with '/'" },
    };

    [Theory]
    [MemberData(nameof(BadFilters))]
    public async Task A_bad_filter_gets_a_400_naming_the_field(string filter, string mentions)
    {
        await using var host = await StartAsync(["--Rag:Bm25Engine=memory"]);
        using var body = new StringContent($$"""{"query":"水果","filter":{{filter}}}""", Encoding.UTF8, "application/json");
        await AssertProblemAsync(await host.Client.PostAsync("/v1/collections/kb/search", body), HttpStatusCode.BadRequest, mentions);
    }

    [Fact]
    public async Task A_document_whose_declared_value_does_not_parse_gets_a_400_and_is_not_written()
    {
        await using var host = await StartAsync(["--Rag:Bm25Engine=memory"]);
        var response = await host.Client.PostAsJsonAsync("/v1/collections/kb/documents",
            new { id = "bad", text = "水果", metadata = new Dictionary<string, string> { ["price"] = "twelve" } });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "'metadata' value of \"price\" is \"twelve\", but collection 'kb' declares \"price\" a number");
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/collections/kb/documents/bad")).StatusCode);
        Assert.Equal(Documents.Length, await DocumentCountAsync(host.Client, "kb"));
    }

    [Theory]
    [InlineData("""{"name":"t","metadataTypes":{"year":"integer"}}""", "'metadataTypes' value of \"year\" must be \"number\" or \"date\"")]
    [InlineData("""{"name":"t","metadataTypes":{"a\\b":"number"}}""", "'metadataTypes' key")]
    public async Task A_bad_metadata_type_declaration_gets_a_400_and_creates_nothing(string request, string mentions)
    {
        await using var host = await StartAsync(["--Rag:Bm25Engine=memory"]);
        using var body = new StringContent(request, Encoding.UTF8, "application/json");
        await AssertProblemAsync(await host.Client.PostAsync("/v1/collections", body), HttpStatusCode.BadRequest, mentions);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/collections/t")).StatusCode);
    }

    private static async Task<ServiceHost> StartAsync(string[] settings)
    {
        var host = await ServiceHost.StartAsync(settings);
        await host.CreateCollectionAsync("kb", new { name = "kb", metadataTypes = new Dictionary<string, string> { ["price"] = "number", ["since"] = "date" } });
        var collection = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
        Assert.Equal("""{"price":"number","since":"date"}""", collection.GetProperty("settings").GetProperty("metadataTypes").GetRawText());
        foreach (var (id, metadata) in Documents)
        {
            await host.IngestAsync("kb", new { id, text = "水果价格 " + id, metadata });
        }

        return host;
    }
}
