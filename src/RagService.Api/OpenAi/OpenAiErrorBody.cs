using System.Text.RegularExpressions;
using RagService.Api.Errors;

namespace RagService.Api.OpenAi;

/// <summary>
/// Writes the refusals of the OpenAI-compatible routes as OpenAI's <c>{"error":{"message","type","param","code"}}</c>
/// with the same status a problem detail would have, because OpenAI clients (SDKs, Open WebUI, LibreChat) parse that.
/// The message is the service's own detail (what to fix); <c>type</c> and <c>code</c> follow from the status and title
/// (<see cref="Titles"/>); <c>param</c> is the request field the detail starts with ("'messages' is required" → messages),
/// or "model" when the model is not found.
/// </summary>
internal sealed partial class OpenAiErrorBody : IErrorBodyWriter
{
    public static readonly OpenAiErrorBody Instance = new();

    /// <summary>The titles of the refusals these routes throw themselves, which carry their own code.</summary>
    public static class Titles
    {
        public const string ModelNotFound = "Model not found";
        public const string LlmNotConfigured = "LLM not configured";
    }

    [GeneratedRegex(@"\A'([A-Za-z_][A-Za-z0-9_.\[\]]*)'")]
    private static partial Regex LeadingField();

    public Task WriteAsync(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new OpenAiErrorResponse(Describe(status, title, detail)));
    }

    public static OpenAiError Describe(int status, string title, string detail)
    {
        var param = title == Titles.ModelNotFound ? "model" : LeadingField().Match(detail) is { Success: true } m ? m.Groups[1].Value : null;
        var (type, code) = (status, title) switch
        {
            (404, Titles.ModelNotFound) => ("invalid_request_error", "model_not_found"),
            (503, Titles.LlmNotConfigured) => ("server_error", "llm_not_configured"),
            (401, _) => ("invalid_request_error", "invalid_api_key"),
            (403, _) => ("invalid_request_error", "insufficient_permissions"),
            (404, _) => ("invalid_request_error", "not_found"),
            (429, _) => ("requests", "rate_limit_exceeded"),
            (502, _) => ("server_error", "llm_failed"),
            (504, _) => ("server_error", "llm_timeout"),
            ( >= 500, _) => ("server_error", null),
            _ => ("invalid_request_error", (string?)null),
        };
        return new OpenAiError(detail, type, param, code);
    }
}
