using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RagService.Api.Tests.Auth;

/// <summary>What a web page on another site can make a browser do: preflights, and simple form posts that need no preflight.</summary>
public sealed class CrossSiteTests
{
    private const string Allowed = "https://app.example.com";
    private const string Evil = "https://evil.example.net";

    [Fact]
    public async Task A_preflight_is_answered_for_an_allowed_origin_only()
    {
        await using var host = await ServiceHost.StartAsync($"--Rag:Cors:AllowedOrigins:0={Allowed}");
        using var anonymous = host.CreateClient(null);

        var allowed = await anonymous.SendAsync(Preflight(Allowed));
        Assert.True(allowed.IsSuccessStatusCode, allowed.StatusCode.ToString());
        Assert.Equal(Allowed, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-api-key", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);

        var refused = await anonymous.SendAsync(Preflight(Evil));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task With_no_allow_list_no_origin_gets_cors_headers()
    {
        await using var host = await ServiceHost.StartAsync();
        using var anonymous = host.CreateClient(null);
        var refused = await anonymous.SendAsync(Preflight(Allowed));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task A_cross_site_multipart_post_without_a_key_is_refused_and_writes_nothing()
    {
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync("kb");
        using var browser = host.CreateClient(null);
        var response = await browser.SendAsync(FormPost(Evil));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, (await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents")).GetArrayLength());
    }

    [Fact]
    public async Task With_mode_none_a_cross_site_post_is_refused_but_a_same_origin_or_non_browser_post_is_not()
    {
        await using var host = await ServiceHost.StartAsync("--Rag:Auth:Mode=none");
        await host.CreateCollectionAsync("kb");
        using var browser = host.CreateClient(null);

        var crossSite = await browser.SendAsync(FormPost(Evil));
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Contains("Rag:Cors:AllowedOrigins", (await Keys.ProblemAsync(crossSite)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var fetchMetadataOnly = FormPost(null);
        fetchMetadataOnly.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(fetchMetadataOnly)).StatusCode);
        Assert.Equal(0, (await browser.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents")).GetArrayLength());

        var sameOrigin = await browser.SendAsync(FormPost(host.Client.BaseAddress!.GetLeftPart(UriPartial.Authority)));
        Assert.Equal(HttpStatusCode.Created, sameOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(FormPost(null, "curl.txt"))).StatusCode);
    }

    [Fact]
    public async Task A_valid_key_from_a_page_on_another_site_still_cannot_change_data()
    {
        await using var host = await ServiceHost.StartAsync($"--Rag:Cors:AllowedOrigins:0={Allowed}");
        await host.CreateCollectionAsync("kb");
        Assert.Equal(HttpStatusCode.Forbidden, (await host.Client.SendAsync(FormPost(Evil))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await host.Client.SendAsync(FormPost(Allowed))).StatusCode);
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/collections/kb/search");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type");
        return request;
    }

    /// <summary>What an HTML form with enctype=multipart/form-data makes a browser send.</summary>
    private static HttpRequestMessage FormPost(string? origin, string fileName = "note.txt")
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("Planted by another site.")), "file", fileName } };
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/kb/documents/upload") { Content = form };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return request;
    }
}
