using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Auth;

/// <summary>Creates keys through the admin route, as an operator would.</summary>
internal static class Keys
{
    public sealed record Created(string Id, string Key);

    public static async Task<Created> CreateAsync(HttpClient admin, string client, string role, string[]? collections = null)
    {
        var response = await admin.PostAsJsonAsync("/v1/keys", new { client, role, collections });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Created(body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
