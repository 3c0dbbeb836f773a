using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RagService.Api.Tests.Sync;

namespace RagService.Api.Tests.Auth;

/// <summary>Creating, rotating and revoking keys, over HTTP and with `rag keys`; what the database holds.</summary>
public class KeyLifecycleTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        await _host.CreateCollectionAsync("kb");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [SkippableFact]
    public async Task A_client_rotates_with_two_active_keys_and_a_third_is_refused_until_one_is_revoked()
    {
        var first = await Keys.CreateAsync(_host.Client, "chatbot", "reader");
        var second = await Keys.CreateAsync(_host.Client, "chatbot", "reader");
        using (var client = _host.CreateClient(first.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/collections/kb")).StatusCode);
        }

        var third = await _host.Client.PostAsJsonAsync("/v1/keys", new { client = "chatbot", role = "reader" });
        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        Assert.Contains("revoke", (await Keys.ProblemAsync(third)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Client.DeleteAsync($"/v1/keys/{first.Id}")).StatusCode);
        await Keys.CreateAsync(_host.Client, "chatbot", "reader");

        using var old = _host.CreateClient(first.Key);
        var refused = await old.GetAsync("/v1/collections/kb");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", (await Keys.ProblemAsync(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var current = _host.CreateClient(second.Key);
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/v1/collections/kb")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.DeleteAsync($"/v1/keys/{first.Id}")).StatusCode);
    }

    [SkippableFact]
    public async Task Only_the_sha256_of_a_key_is_stored_and_the_list_never_shows_a_secret()
    {
        var key = await Keys.CreateAsync(_host.Client, "ci", "writer", ["kb"]);
        using (var client = _host.CreateClient(key.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/collections/kb")).StatusCode);
        }

        var listed = await _host.Client.GetStringAsync("/v1/keys");
        Assert.DoesNotContain(key.Key, listed, StringComparison.Ordinal);
        var entry = JsonDocument.Parse(listed).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetString() == key.Id);
        Assert.Equal("writer", entry.GetProperty("role").GetString());
        Assert.Equal(["kb"], entry.GetProperty("collections").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(JsonValueKind.String, entry.GetProperty("lastUsedAt").ValueKind);

        await using var db = StoreChoice.Connect(_host.DatabasePath);
        await using var cmd = db.CreateCommand();
        Assert.Matches("^[A-Za-z0-9_]+$", key.Id);
        cmd.CommandText = $"SELECT * FROM api_keys WHERE id = '{key.Id}'";
        await using var row = await cmd.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        // "rag_" + id + "_" + secret, and the base64url secret may itself contain '_': split at the first two only.
        var secret = key.Key.Split('_', 3)[2];
        Assert.Equal(43, secret.Length);
        for (var i = 0; i < row.FieldCount; i++)
        {
            var value = row.GetValue(i);
            Assert.DoesNotContain(secret, value is byte[] b ? Convert.ToBase64String(b) + Encoding.UTF8.GetString(b) : value.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key.Key)), (byte[])row["secret_hash"]);
    }

    [SkippableFact]
    public async Task Bad_key_requests_get_400_saying_what_to_fix()
    {
        foreach (var body in new object[]
        {
            new { role = "reader" },
            new { client = "x", role = "owner" },
            new { client = "x", role = "reader", collections = Array.Empty<string>() },
            new { client = "x", role = "reader", collections = new[] { "Not A Name" } },
        })
        {
            var response = await _host.Client.PostAsJsonAsync("/v1/keys", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.False(string.IsNullOrWhiteSpace((await Keys.ProblemAsync(response)).GetProperty("detail").GetString()));
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await _host.Client.DeleteAsync("/v1/keys/bootstrap")).StatusCode);
    }

    [SkippableFact]
    public async Task Rag_keys_creates_lists_and_revokes_with_an_admin_key()
    {
        var created = await RunCliAsync("create", "--client", "support-bot", "--role", "reader", "--collections", "kb");
        Assert.True(created.ExitCode == 0, created.Output);
        var key = created.Output.Split('\n').Single(l => l.StartsWith("key:", StringComparison.Ordinal))["key:".Length..].Trim();
        var id = created.Output.Split('\n').Single(l => l.StartsWith("id:", StringComparison.Ordinal))["id:".Length..].Trim();
        using (var client = _host.CreateClient(key))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/collections/kb")).StatusCode);
        }

        var list = await RunCliAsync("list");
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains(id, list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list.Output, StringComparison.Ordinal);

        var revoked = await RunCliAsync("revoke", id);
        Assert.True(revoked.ExitCode == 0, revoked.Output);
        using (var client = _host.CreateClient(key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/collections/kb")).StatusCode);
        }

        var withoutAdmin = await RunCliWithKeyAsync(key, "list");
        Assert.Equal(1, withoutAdmin.ExitCode);
        Assert.Contains("401", withoutAdmin.Output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Rag_keys_create_gives_a_key_principals_and_the_delegate_permission_with_the_apis_validation()
    {
        await _host.IngestAsync("kb", new { id = "hr-only", text = "Parental leave is sixteen weeks.", access = new[] { "group:hr" } });
        var created = await RunCliAsync("create", "--client", "hr-portal", "--role", "reader", "--principal", "group:hr", "--principal", "user:ann@corp.example",
            "--delegate-within", "user:*@corp.example");
        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Contains("principals: group:hr,user:ann@corp.example  delegate within: user:*@corp.example", created.Output, StringComparison.Ordinal);
        var key = created.Output.Split('\n').Single(l => l.StartsWith("key:", StringComparison.Ordinal))["key:".Length..].Trim();
        using (var client = _host.CreateClient(key))
        {
            // Its own principal reads the restricted document; the delegate permission lets it act for a user within the pattern only.
            Assert.Contains("hr-only", await client.GetStringAsync("/v1/collections/kb/documents"), StringComparison.Ordinal);
            using var inside = new HttpRequestMessage(HttpMethod.Get, "/v1/collections/kb/documents");
            inside.Headers.Add("X-Rag-On-Behalf-Of", "user:bob@corp.example");
            var asBob = await client.SendAsync(inside);
            Assert.Equal(HttpStatusCode.OK, asBob.StatusCode);
            Assert.DoesNotContain("hr-only", await asBob.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            using var outside = new HttpRequestMessage(HttpMethod.Get, "/v1/collections/kb/documents");
            outside.Headers.Add("X-Rag-On-Behalf-Of", "group:hr");
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(outside)).StatusCode);
        }

        var plain = await RunCliAsync("create", "--client", "plain", "--role", "reader");
        Assert.Contains("principals: -  delegate within: -", plain.Output, StringComparison.Ordinal);

        var badPrincipal = await RunCliAsync("create", "--client", "x", "--role", "reader", "--principal", "hr");
        Assert.Equal(1, badPrincipal.ExitCode);
        Assert.Contains("'principals'", badPrincipal.Output, StringComparison.Ordinal);
        var badPattern = await RunCliAsync("create", "--client", "x", "--role", "reader", "--delegate-within", "");
        Assert.Equal(1, badPattern.ExitCode);
        Assert.Contains("'delegateWithin'", badPattern.Output, StringComparison.Ordinal);
    }

    private sealed record CliResult(int ExitCode, string Output);

    private Task<CliResult> RunCliAsync(params string[] args) => RunCliWithKeyAsync(ServiceHost.BootstrapKey, args);

    private async Task<CliResult> RunCliWithKeyAsync(string apiKey, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { CliSyncTests.CliPath(), "keys" }.Concat(args).Concat(["--url", _host.Client.BaseAddress!.ToString(), "--api-key", apiKey]))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout + await stderr);
    }
}
