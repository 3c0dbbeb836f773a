using System.Text.Json;

namespace RagService.Cli.Keys;

/// <summary>
/// The key routes' replies: the JSON body of a success, or a <see cref="ServiceException"/> carrying the problem's detail.
/// (`rag keys` predates RagService.Client's key methods; it is the one command that still speaks HTTP itself.)
/// </summary>
internal static class KeysHttp
{
    public static async Task<JsonElement> EnsureSuccessAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode)
        {
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }

        string detail;
        try
        {
            using var problem = JsonDocument.Parse(text);
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            detail = text;
        }

        throw new ServiceException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
    }

    internal sealed class ServiceException(string message) : Exception(message);
}
