using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static RagService.Api.Tests.Hardening.ProblemAssertions;

namespace RagService.Api.Tests.Hardening;

/// <summary>Defect 2: metadata and titles are bounded on the way in; hits carry a document reference and only the metadata asked for.</summary>
public sealed class ResponseBoundsTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync("--Rag:Limits:MaxHitTextChars=300");
        await _host.CreateCollectionAsync("kb", new { name = "kb", chunkSize = 5000, chunkOverlap = 0 });
        await _host.IngestAsync("kb", new
        {
            id = "menu",
            title = "Menu",
            text = "Margherita pizza costs 45 yuan. " + string.Concat(Enumerable.Repeat("The dough rests for a day before baking. ", 100)),
            metadata = new Dictionary<string, string> { ["lang"] = "en", ["owner"] = "kitchen", ["notes"] = new string('n', 900) },
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, object, HttpStatusCode, string> OversizedDocuments => new()
    {
        { "huge metadata value", new { id = "d", text = "x", metadata = new Dictionary<string, string> { ["k"] = new string('v', 100_000) } }, HttpStatusCode.RequestEntityTooLarge, "MaxMetadataValueBytes" },
        { "long metadata key", new { id = "d", text = "x", metadata = new Dictionary<string, string> { [new string('k', 1000)] = "v" } }, HttpStatusCode.BadRequest, "MaxMetadataKeyChars" },
        { "metadata total", new { id = "d", text = "x", metadata = Enumerable.Range(0, 60).ToDictionary(i => $"k{i}", _ => new string('v', 1000)) }, HttpStatusCode.RequestEntityTooLarge, "MaxMetadataBytes" },
        { "huge title", new { id = "d", title = new string('t', 100_000), text = "x" }, HttpStatusCode.BadRequest, "MaxTitleChars" },
    };

    [Theory]
    [MemberData(nameof(OversizedDocuments))]
    public async Task Oversized_metadata_or_title_is_refused_and_nothing_written(string name, object document, HttpStatusCode status, string mentions)
    {
        var response = await _host.Client.PostAsJsonAsync("/v1/collections/kb/documents", document);
        Assert.True(response.StatusCode == status, $"{name}: {(int)response.StatusCode}");
        await AssertProblemAsync(response, status, mentions);
        Assert.Equal(1, await DocumentCountAsync(_host.Client, "kb"));
    }

    [Fact]
    public async Task Hits_carry_the_document_reference_and_only_the_metadata_asked_for_and_bounded_text()
    {
        var plain = await SearchAsync(new { query = "Margherita", topK = 3 });
        var hit = plain.GetProperty("hits")[0];
        Assert.Equal("menu", hit.GetProperty("documentId").GetString());
        Assert.True(hit.GetProperty("metadata").ValueKind == JsonValueKind.Null || !hit.GetProperty("metadata").EnumerateObject().Any(),
            "metadata must not be repeated in hits unless asked for: " + hit.GetProperty("metadata"));
        Assert.True(hit.GetProperty("text").GetString()!.Length <= 300, "hit text is bounded by Rag:Limits:MaxHitTextChars");
        Assert.True(hit.GetProperty("textTruncated").GetBoolean());

        var asked = await SearchAsync(new { query = "Margherita", topK = 3, metadata = new[] { "lang" } });
        var metadata = asked.GetProperty("hits")[0].GetProperty("metadata");
        Assert.Equal(["lang"], metadata.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("en", metadata.GetProperty("lang").GetString());
    }

    [Fact]
    public async Task Document_listing_page_size_is_bounded_by_a_named_option()
    {
        var response = await _host.Client.GetAsync("/v1/collections/kb/documents?limit=100000");
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "MaxDocumentsPerPage");
    }

    private async Task<JsonElement> SearchAsync(object body)
    {
        var response = await _host.Client.PostAsJsonAsync("/v1/collections/kb/search", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
