using Microsoft.Extensions.Options;
using RagService.Api.Hosting;

namespace RagService.Api.Errors;

/// <summary>
/// Some refusals are written by the framework itself (a body over Kestrel's limit, a JSON endpoint called with
/// another media type) without a detail; this fills in one that says what to fix.
/// </summary>
internal static class ProblemDefaults
{
    public static void FillDetail(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Instance ??= InputEcho.Of(context.HttpContext.Request.Path);
        if (!string.IsNullOrEmpty(problem.Detail))
        {
            return;
        }

        problem.Detail = problem.Status switch
        {
            StatusCodes.Status413PayloadTooLarge =>
                $"the request body exceeds the limit of {context.HttpContext.RequestServices.GetRequiredService<IOptions<RagOptions>>().Value.Limits.MaxRequestBytes} bytes (Rag:Limits:MaxRequestBytes)",
            StatusCodes.Status415UnsupportedMediaType =>
                "send the body as application/json (or multipart/form-data to the /upload endpoint)",
            StatusCodes.Status404NotFound => $"no endpoint at {InputEcho.Of(context.HttpContext.Request.Method)} {InputEcho.Of(context.HttpContext.Request.Path)}; see /swagger",
            StatusCodes.Status405MethodNotAllowed => $"{InputEcho.Of(context.HttpContext.Request.Method)} is not allowed here; see /swagger",
            StatusCodes.Status400BadRequest => "the request could not be read; check the body against /swagger",
            _ => problem.Title,
        };
    }
}
