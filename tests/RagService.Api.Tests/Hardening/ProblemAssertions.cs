using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Hardening;

internal static class ProblemAssertions
{
    /// <summary>Asserts a problem detail with the status, a detail naming <paramref name="mentions"/>, and no unbounded echo of input.</summary>
    public static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string mentions, int maxBodyChars = 2_000)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {Cut(body)}");
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
        Assert.True(body.Length <= maxBodyChars, $"the problem body is {body.Length} characters; input must not be echoed unbounded: {Cut(body)}");
        var detail = JsonSerializer.Deserialize<JsonElement>(body).GetProperty("detail").GetString()!;
        Assert.Contains(mentions, detail, StringComparison.Ordinal);
        return detail;
    }

    public static async Task<int> DocumentCountAsync(HttpClient client, string collection) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/collections/{collection}")).GetProperty("documents").GetInt32();

    private static string Cut(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
