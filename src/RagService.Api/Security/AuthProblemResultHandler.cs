using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace RagService.Api.Security;

/// <summary>Turns a refused authorization into a 401 (no or invalid key) or 403 (key lacks role or scope) problem detail that says what to fix.</summary>
internal sealed class AuthProblemResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    public const string MissingKey =
        "send an API key in the X-Api-Key header (or Authorization: Bearer KEY); an admin creates keys with 'rag keys create' or POST /v1/keys";

    public async Task HandleAsync(RequestDelegate next, HttpContext http, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Succeeded)
        {
            await next(http);
            return;
        }

        var refusal = http.Items[ApiKeyAuthenticationHandler.RefusalItem] as string;
        var (status, title, detail) = result.Challenged
            ? http.Items[ApiKeyAuthenticationHandler.DelegationRefusalStatusItem] is int delegation
                ? (delegation, "Delegation refused", refusal!)
                : (401, "API key required", refusal ?? MissingKey)
            : (403, "Forbidden", string.Join("; ", result.AuthorizationFailure?.FailureReasons.Select(r => r.Message) ?? []) is { Length: > 0 } reasons
                ? reasons
                : "this key may not call this route");
        if (status == 401)
        {
            http.Response.Headers.WWWAuthenticate = $"{ApiKeyAuthenticationHandler.SchemeName} header=\"{ApiKeyAuthenticationHandler.HeaderName}\", Bearer";
        }

        await WriteAsync(problems, http, status, title, detail);
    }

    public static async Task WriteAsync(IProblemDetailsService problems, HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        if (Errors.IErrorBodyWriter.Of(http) is { } writer)
        {
            await writer.WriteAsync(http, status, title, detail);
            return;
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = http.Request.Path },
        });
    }
}
