using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Hardening;

/// <summary>
/// Defect 6: ids containing '/' (every synced file in a subfolder has one). Rule: the id is the rest of the path after
/// /documents/, each segment percent-decoded exactly once; so "x/y" is sent as x/y or x%2Fy, and the literal id "x%2Fy" as x%252Fy.
/// </summary>
public sealed class DocumentIdRouteTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        await _host.CreateCollectionAsync("kb");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Id_with_slash_round_trips_through_location_read_and_delete_without_aliasing_the_literal_percent_id()
    {
        var created = await _host.Client.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "x/y", text = "slash document about ovens" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!;
        await _host.IngestAsync("kb", new { id = "x%2Fy", text = "literal percent document about pizza" });

        Assert.Equal("x/y", await IdAtAsync(location.OriginalString));
        Assert.Equal("x/y", await IdAtAsync("/v1/collections/kb/documents/x/y"));
        Assert.Equal("x/y", await IdAtAsync("/v1/collections/kb/documents/x%2Fy"));
        Assert.Equal("x%2Fy", await IdAtAsync("/v1/collections/kb/documents/x%252Fy"));

        var deleted = await _host.Client.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("/v1/collections/kb/documents/x/y")).StatusCode);
        Assert.Equal("x%2Fy", await IdAtAsync("/v1/collections/kb/documents/x%252Fy"));

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Client.DeleteAsync("/v1/collections/kb/documents/x%252Fy")).StatusCode);
        Assert.Equal(0, await ProblemAssertions.DocumentCountAsync(_host.Client, "kb"));
    }

    [Fact]
    public async Task Deep_path_and_unicode_ids_are_readable_at_their_location()
    {
        foreach (var id in new[] { "docs/guide/intro.md", "菜单/披萨 价格.md", "a b/c?d#e.md" })
        {
            var created = await _host.Client.PostAsJsonAsync("/v1/collections/kb/documents", new { id, text = "content of " + id });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(id, await IdAtAsync(created.Headers.Location!.OriginalString));
        }
    }

    private async Task<string> IdAtAsync(string path)
    {
        var response = await _host.Client.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
