namespace RagService.Api.Errors;

/// <summary>
/// Endpoint metadata for routes whose clients parse another error body than RFC 7807 problem details (the
/// OpenAI-compatible routes). Every refusal of such a route — an exception, a 401/403 from authorization, a 429 from the
/// rate limiter — is written by it, with the same status and detail a problem detail would carry.
/// </summary>
internal interface IErrorBodyWriter
{
    Task WriteAsync(HttpContext http, int status, string title, string detail);

    /// <summary>
    /// The writer the matched endpoint declares, or null (problem details). The exception handler clears the request's
    /// endpoint before it runs, and keeps the one that threw in <see cref="Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature"/>.
    /// </summary>
    static IErrorBodyWriter? Of(HttpContext http) =>
        (http.GetEndpoint() ?? http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint)?.Metadata.GetMetadata<IErrorBodyWriter>();
}
