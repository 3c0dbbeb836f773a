using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Tests.Auth;

namespace RagService.Api.Tests.Access;

/// <summary>
/// Who may act for whom, over real HTTP: a delegate key names its end user's principals within its patterns only, a
/// key without the permission cannot delegate at all, and JWT bearer tokens signed in the test (JWKS served by a local
/// issuer) are accepted only when signature, issuer, audience and lifetime hold. Every refusal is a problem detail
/// that names no document.
/// </summary>
public sealed class DelegationAndTokenTests
{
    private const string Secret = "zqxsecretmark";

    private static async Task<(ServiceHost Host, LocalIssuer Issuer)> StartAsync()
    {
        var issuer = await LocalIssuer.StartAsync();
        var host = await ServiceHost.StartAsync(["--Rag:Bm25Engine=memory", .. issuer.ServiceArguments()]);
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "payroll", text = $"{Secret} 工资 价格", access = new[] { "group:hr", "user:alice@corp.example" } });
        await host.IngestAsync("kb", new { id = "menu", text = "菜单 价格 便宜" });
        return (host, issuer);
    }

    private static async Task<string> KeyAsync(ServiceHost host, object body)
    {
        var response = await host.Client.PostAsJsonAsync("/v1/keys", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private static async Task<HttpResponseMessage> SearchAsync(HttpClient client, string? onBehalfOf = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/kb/search") { Content = JsonContent.Create(new { query = "价格", mode = "bm25" }) };
        if (onBehalfOf is not null)
        {
            request.Headers.Add("X-Rag-On-Behalf-Of", onBehalfOf);
        }

        return await client.SendAsync(request);
    }

    private static async Task<string[]> HitDocumentsAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).Order(StringComparer.Ordinal).ToArray();
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await Keys.ProblemAsync(response);
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, problem.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("payroll", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delegate_key_acts_for_users_within_its_patterns_only()
    {
        var (host, issuer) = await StartAsync();
        await using (host)
        await using (issuer)
        {
            var bot = host.CreateClient(await KeyAsync(host, new { client = "bot", role = "reader", delegateWithin = new[] { "user:*@corp.example", "group:support-*" } }));

            Assert.Equal(["menu"], await HitDocumentsAsync(await SearchAsync(bot)));                       // its own principals: none
            Assert.Equal(["menu", "payroll"], await HitDocumentsAsync(await SearchAsync(bot, "user:alice@corp.example")));
            Assert.Equal(["menu"], await HitDocumentsAsync(await SearchAsync(bot, "user:bob@corp.example, group:support-eu")));

            await AssertRefusedAsync(await SearchAsync(bot, "group:hr"), HttpStatusCode.Forbidden, "may not act for 'group:hr'");
            await AssertRefusedAsync(await SearchAsync(bot, "user:alice@corp.example,user:eve@evil.example"), HttpStatusCode.Forbidden, "'user:eve@evil.example'");
            await AssertRefusedAsync(await SearchAsync(bot, "alice"), HttpStatusCode.BadRequest, "kind:name");
        }
    }

    [Fact]
    public async Task A_key_without_the_delegate_permission_cannot_delegate_at_all()
    {
        var (host, issuer) = await StartAsync();
        await using (host)
        await using (issuer)
        {
            var hr = host.CreateClient(await KeyAsync(host, new { client = "hr-app", role = "writer", principals = new[] { "group:hr" } }));
            Assert.Equal(["menu", "payroll"], await HitDocumentsAsync(await SearchAsync(hr)));
            await AssertRefusedAsync(await SearchAsync(hr, "user:alice@corp.example"), HttpStatusCode.Forbidden, "no delegate permission");
            await AssertRefusedAsync(await SearchAsync(host.Client, "user:alice@corp.example"), HttpStatusCode.Forbidden, "no delegate permission");

            var refused = await host.Client.PostAsJsonAsync("/v1/keys", new { client = "x", role = "reader", delegateWithin = new[] { "*:alice" } });
            await AssertRefusedAsync(refused, HttpStatusCode.BadRequest, "'delegateWithin'");
            refused = await host.Client.PostAsJsonAsync("/v1/keys", new { client = "x", role = "reader", principals = new[] { "group hr" } });
            await AssertRefusedAsync(refused, HttpStatusCode.BadRequest, "'principals'");
        }
    }

    [Fact]
    public async Task A_signed_token_reads_what_its_claims_principals_may_and_a_bad_one_is_refused()
    {
        var (host, issuer) = await StartAsync();
        await using (host)
        await using (issuer)
        {
            HttpClient WithToken(string token)
            {
                var client = host.CreateClient(null);
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                return client;
            }

            Assert.Equal(["menu", "payroll"], await HitDocumentsAsync(await SearchAsync(WithToken(issuer.Token("dave@corp.example", ["hr"])))));
            Assert.Equal(["menu", "payroll"], await HitDocumentsAsync(await SearchAsync(WithToken(issuer.Token("alice@corp.example", [])))));
            Assert.Equal(["menu"], await HitDocumentsAsync(await SearchAsync(WithToken(issuer.Token("bob@corp.example", ["sales"])))));
            Assert.True(issuer.JwksRequests >= 1);

            await AssertRefusedAsync(await SearchAsync(WithToken(issuer.Token("dave@corp.example", ["hr"], strangerKey: true))), HttpStatusCode.Unauthorized, "bearer token is not valid");
            await AssertRefusedAsync(await SearchAsync(WithToken(issuer.Token("dave@corp.example", ["hr"], audience: "another-service"))), HttpStatusCode.Unauthorized, "bearer token is not valid");
            await AssertRefusedAsync(await SearchAsync(WithToken(issuer.Token("dave@corp.example", ["hr"], issuer: "https://evil.example"))), HttpStatusCode.Unauthorized, "bearer token is not valid");
            await AssertRefusedAsync(await SearchAsync(WithToken(issuer.Token("dave@corp.example", ["hr"], expires: DateTime.UtcNow.AddHours(-1)))), HttpStatusCode.Unauthorized, "bearer token is not valid");

            // a token is a user, not a chatbot: it cannot delegate, and it is never an admin
            await AssertRefusedAsync(await SearchAsync(WithToken(issuer.Token("bob@corp.example", [])), "group:hr"), HttpStatusCode.Forbidden, "no delegate permission");
            Assert.Equal(HttpStatusCode.Forbidden, (await WithToken(issuer.Token("dave@corp.example", ["hr"])).GetAsync("/v1/keys")).StatusCode);
        }
    }
}
