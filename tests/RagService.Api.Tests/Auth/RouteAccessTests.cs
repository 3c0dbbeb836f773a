using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Tests.Sync;

namespace RagService.Api.Tests.Auth;

/// <summary>
/// Every route × every kind of caller: no key, an empty header, a malformed key, a well-formed key that does not exist,
/// a revoked key, an admin key scoped to another collection, a writer scoped to this collection, reader, writer, admin. The expected outcome comes from the role table in the README, not from the code.
/// </summary>
public sealed class RouteAccessTests : IAsyncLifetime
{
    /// <summary>Who may call a route: anyone, or at least this role (AllCollections: with a key that is not scoped).</summary>
    public enum Need { Anyone, Reader, Writer, Admin, AdminAllCollections }

    /// <param name="OpenAiErrors">The route refuses with OpenAI's error body instead of a problem detail.</param>
    private sealed record Route(string Method, string Pattern, string Path, Need Need, bool InCollectionAlpha, Func<HttpContent?> Body, bool OpenAiErrors = false);

    private ServiceHost _host = null!;
    private readonly Dictionary<string, string?> _callers = [];
    private string _jobId = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        await _host.CreateCollectionAsync("alpha");
        await _host.CreateCollectionAsync("beta");
        await _host.IngestAsync("alpha", new { id = "menu", text = "Margherita costs 42 yuan." });
        var sync = await _host.Client.PostAsync("/v1/collections/alpha/sync", Zip());
        Assert.True(sync.IsSuccessStatusCode, await sync.Content.ReadAsStringAsync());
        _jobId = (await sync.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var revoked = await Keys.CreateAsync(_host.Client, "old-bot", "admin");
        Assert.Equal(HttpStatusCode.NoContent, (await _host.Client.DeleteAsync($"/v1/keys/{revoked.Id}")).StatusCode);
        _callers["anonymous"] = null;
        _callers["empty"] = "";
        _callers["malformed"] = "hello";
        _callers["unknown"] = "rag_0123456789ab_" + new string('x', 43);
        _callers["revoked"] = revoked.Key;
        _callers["out-of-scope"] = (await Keys.CreateAsync(_host.Client, "beta-bot", "admin", ["beta"])).Key;
        _callers["in-scope-writer"] = (await Keys.CreateAsync(_host.Client, "alpha-bot", "writer", ["alpha"])).Key;
        _callers["reader"] = (await Keys.CreateAsync(_host.Client, "reader-bot", "reader")).Key;
        _callers["writer"] = (await Keys.CreateAsync(_host.Client, "writer-bot", "writer")).Key;
        _callers["admin"] = (await Keys.CreateAsync(_host.Client, "admin-bot", "admin")).Key;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private IReadOnlyList<Route> Routes() =>
    [
        new("GET", "/health/live", "/health/live", Need.Anyone, false, None),
        new("GET", "/health/ready", "/health/ready", Need.Anyone, false, None),
        new("GET", "/v1/collections/", "/v1/collections", Need.Reader, false, None),
        new("POST", "/v1/collections/", "/v1/collections", Need.Admin, true, () => JsonContent.Create(new { name = "alpha" })),
        new("GET", "/v1/collections/{collection}", "/v1/collections/alpha", Need.Reader, true, None),
        new("DELETE", "/v1/collections/{collection}", "/v1/collections/zeta", Need.Admin, true, None),
        new("POST", "/v1/collections/{collection}/documents/", "/v1/collections/alpha/documents", Need.Writer, true,
            () => JsonContent.Create(new { id = "menu", text = "Margherita costs 42 yuan." })),
        new("POST", "/v1/collections/{collection}/documents/upload", "/v1/collections/alpha/documents/upload", Need.Writer, true, Upload),
        new("GET", "/v1/collections/{collection}/documents/", "/v1/collections/alpha/documents", Need.Reader, true, None),
        new("GET", "/v1/collections/{collection}/documents/{**id}", "/v1/collections/alpha/documents/menu", Need.Reader, true, None),
        new("DELETE", "/v1/collections/{collection}/documents/{**id}", "/v1/collections/alpha/documents/nope", Need.Writer, true, None),
        new("PUT", "/v1/collections/{collection}/documents/{**idAndAccess}", "/v1/collections/alpha/documents/nope/access", Need.Writer, true,
            () => JsonContent.Create(new { access = new[] { "group:hr" } })),
        new("GET", "/v1/collections/{collection}/chunks", "/v1/collections/alpha/chunks?documentId=menu", Need.Reader, true, None),
        new("GET", "/v1/whoami", "/v1/whoami", Need.Reader, false, None),
        new("POST", "/v1/collections/{collection}/search", "/v1/collections/alpha/search", Need.Reader, true, () => JsonContent.Create(new { query = "margherita" })),
        new("POST", "/v1/collections/{collection}/ask", "/v1/collections/alpha/ask", Need.Reader, true, () => JsonContent.Create(new { question = "margherita?" })),
        new("POST", "/v1/collections/{collection}/sync/", "/v1/collections/alpha/sync", Need.Writer, true, Zip),
        new("POST", "/v1/collections/{collection}/sync/plan", "/v1/collections/alpha/sync/plan", Need.Writer, true, () => JsonContent.Create(new { files = Array.Empty<object>() })),
        new("GET", "/v1/jobs/", "/v1/jobs", Need.Reader, false, None),
        new("GET", "/v1/jobs/{id}", $"/v1/jobs/{_jobId}", Need.Reader, true, None),
        new("POST", "/v1/keys/", "/v1/keys", Need.AdminAllCollections, false, () => JsonContent.Create(new { client = "c-" + Guid.NewGuid().ToString("N"), role = "reader" })),
        new("GET", "/v1/keys/", "/v1/keys", Need.AdminAllCollections, false, None),
        new("DELETE", "/v1/keys/{id}", "/v1/keys/000000000000", Need.AdminAllCollections, false, None),
        new("GET", "/metrics", "/metrics", Need.AdminAllCollections, false, None),
        // The model is named in the body: a key scoped elsewhere gets 404 model_not_found there, never 403.
        new("POST", "/v1/chat/completions", "/v1/chat/completions", Need.Reader, false,
            () => JsonContent.Create(new { model = "alpha", messages = Array.Empty<object>() }), OpenAiErrors: true),
        new("GET", "/v1/models", "/v1/models", Need.Reader, false, None, OpenAiErrors: true),
        new("GET", "/v1/models/{id}", "/v1/models/alpha", Need.Reader, false, None, OpenAiErrors: true),
        new("POST", "/mcp/", "/mcp", Need.Reader, false, () => JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "tools/list" })),
    ];

    [Fact]
    public async Task Every_route_answers_each_caller_as_the_role_table_says()
    {
        var failures = new List<string>();
        foreach (var route in Routes())
        {
            foreach (var (caller, key) in _callers)
            {
                using var client = _host.CreateClient(key);
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path) { Content = route.Body() };
                using var response = await client.SendAsync(request);
                var expected = Expected(route, caller);
                var actual = (int)response.StatusCode;
                var ok = expected switch
                {
                    401 or 403 => actual == expected,
                    _ => actual is >= 200 and < 500 and not 401 and not 403,
                };
                if (!ok)
                {
                    failures.Add($"{route.Method} {route.Path} as {caller}: expected {(expected == 0 ? "not 401/403" : expected)}, got {actual} {await response.Content.ReadAsStringAsync()}");
                }
                else if (actual is 401 or 403 && route.OpenAiErrors)
                {
                    var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
                    Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
                }
                else if (actual is 401 or 403)
                {
                    var problem = await Keys.ProblemAsync(response);
                    Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>0 = must not be refused for authentication or authorization.</summary>
    private static int Expected(Route route, string caller)
    {
        if (route.Need == Need.Anyone)
        {
            return 0;
        }

        if (caller is "anonymous" or "empty" or "malformed" or "unknown" or "revoked")
        {
            return 401;
        }

        if (caller == "out-of-scope")
        {
            return route.InCollectionAlpha || route.Need == Need.AdminAllCollections ? 403 : 0;
        }

        if (caller == "in-scope-writer")
        {
            return route.Need is Need.Admin or Need.AdminAllCollections ? 403 : 0;
        }

        var role = caller switch { "reader" => Need.Reader, "writer" => Need.Writer, _ => Need.AdminAllCollections };
        return role >= route.Need ? 0 : 403;
    }

    [Fact]
    public void The_table_covers_every_route_the_service_maps()
    {
        var mapped = _host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .Where(r => !r.EndsWith(" /", StringComparison.Ordinal))
            .ToHashSet();
        var table = Routes().Select(r => $"{r.Method} {r.Pattern}").ToHashSet();
        Assert.Empty(mapped.Except(table));
        Assert.Empty(table.Except(mapped));
    }

    [Fact]
    public async Task A_scoped_key_lists_only_its_own_collections_and_jobs()
    {
        using var scoped = _host.CreateClient(_callers["out-of-scope"]);
        var collections = await scoped.GetFromJsonAsync<JsonElement>("/v1/collections");
        Assert.Equal(["beta"], collections.EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        var jobs = await scoped.GetFromJsonAsync<JsonElement>("/v1/jobs");
        Assert.Equal(0, jobs.GetArrayLength());
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.GetAsync("/v1/jobs?collection=alpha")).StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_works_like_the_header()
    {
        using var client = _host.CreateClient(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _callers["reader"]);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/collections/alpha")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("/v1/collections/alpha")).StatusCode);
    }

    private static HttpContent? None() => null;

    private static HttpContent Zip()
    {
        var content = new ByteArrayContent(TestArchives.Zip(new Dictionary<string, string> { ["oven.txt"] = "Error QX-77 means the fan is blocked." }));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }

    private static HttpContent Upload()
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("Calzone costs 48 yuan.")), "file", "calzone.txt");
        return form;
    }
}
