using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Client.Errors;

/// <summary>Turns a failed response (an RFC 7807 problem detail, or anything else) into the matching typed exception.</summary>
internal static class ProblemReader
{
    public static async Task<RagServiceException> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        string? title = null, detail = null, instance = null;
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct).ConfigureAwait(false);
            title = Text(problem, "title");
            detail = Text(problem, "detail");
            instance = Text(problem, "instance");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not a problem detail (e.g. a proxy's HTML page): the status is all we know.
        }

        return Create(response.StatusCode, title ?? response.ReasonPhrase ?? "error", detail, instance, response.Headers.RetryAfter?.Delta);
    }

    public static RagServiceException Create(HttpStatusCode status, string title, string? detail, string? instance, TimeSpan? retryAfter = null) => (int)status switch
    {
        400 or 413 or 415 or 422 => new RagServiceBadRequestException(status, title, detail, instance),
        401 or 403 => new RagServiceAuthorizationException(status, title, detail, instance),
        404 => new RagServiceNotFoundException(status, title, detail, instance),
        409 => new RagServiceConflictException(status, title, detail, instance),
        429 or 503 => new RagServiceBusyException(status, title, detail, instance, retryAfter),
        502 or 504 => new RagServiceLlmException(status, title, detail, instance),
        _ => new RagServiceException(status, title, detail, instance),
    };

    /// <summary>A problem detail sent inside a stream (the "error" event of a streamed answer).</summary>
    public static RagServiceException FromElement(JsonElement problem) => Create(
        (HttpStatusCode)(problem.TryGetProperty("status", out var s) && s.TryGetInt32(out var code) ? code : 500),
        Text(problem, "title") ?? "error", Text(problem, "detail"), Text(problem, "instance"));

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
