using System.Net;
using System.Net.Http.Json;
using System.Text;
using static RagService.Api.Tests.Hardening.ProblemAssertions;

namespace RagService.Api.Tests.Hardening;

/// <summary>Defect 7: filters and names that used to reach SQL (and answer 500) are refused with 400.</summary>
public sealed class FilterValidationTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        await _host.CreateCollectionAsync("kb");
        await _host.IngestAsync("kb", new { id = "a", text = "The oven reaches 450 degrees.", metadata = new Dictionary<string, string> { ["lang"] = "en" } });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string, string> BadFilters => new()
    {
        { "key with a backslash", """{"query":"oven","filter":{"metadata":{"a\\b":"en"}}}""", "metadata" },
        { "key with a quote", """{"query":"oven","filter":{"metadata":{"a\"b":"en"}}}""", "metadata" },
        { "null value", """{"query":"oven","filter":{"metadata":{"lang":null}}}""", "metadata" },
        { "blank key", """{"query":"oven","filter":{"metadata":{" ":"en"}}}""", "metadata" },
        { "999 keys", "{\"query\":\"oven\",\"filter\":{\"metadata\":{" + string.Join(',', Enumerable.Range(0, 999).Select(i => $"\"k{i}\":\"v\"")) + "}}}", "MaxMetadataEntries" },
        { "null document id", """{"query":"oven","filter":{"documentIds":[null]}}""", "documentIds" },
    };

    [Theory]
    [MemberData(nameof(BadFilters))]
    public async Task Bad_filter_gets_400(string name, string body, string mentions)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await _host.Client.PostAsync("/v1/collections/kb/search", content);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, mentions);
    }

    [Fact]
    public async Task Valid_metadata_filter_still_matches()
    {
        var hit = await _host.SearchAsync("kb", "oven", filter: new { metadata = new Dictionary<string, string> { ["lang"] = "en" } });
        Assert.Single(ServiceHost.HitTexts(hit));
        var miss = await _host.SearchAsync("kb", "oven", filter: new { metadata = new Dictionary<string, string> { ["lang"] = "zh" } });
        Assert.Empty(ServiceHost.HitTexts(miss));
    }

    [Theory]
    [InlineData("abc\n")]
    [InlineData("abc\r\n")]
    [InlineData("\nabc")]
    public async Task Collection_name_with_a_line_break_is_refused_and_not_created(string name)
    {
        var response = await _host.Client.PostAsJsonAsync("/v1/collections", new { name });
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "'name'");
        var list = await _host.Client.GetStringAsync("/v1/collections");
        Assert.DoesNotContain("abc", list, StringComparison.Ordinal);
    }
}
