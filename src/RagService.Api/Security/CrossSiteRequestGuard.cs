using Microsoft.Extensions.Options;

namespace RagService.Api.Security;

/// <summary>
/// Refuses state-changing requests (POST, PUT, PATCH, DELETE) that a browser sent from another site, unless that
/// origin is on the CORS allow-list. With keys required a cross-site form cannot carry X-Api-Key anyway (the service
/// uses no cookies or other ambient credentials); this guard also holds with Rag:Auth:Mode=none, where there is no key.
/// Browsers always send Origin on cross-origin POSTs and Sec-Fetch-Site on all requests; other clients send neither.
/// </summary>
internal sealed class CrossSiteRequestGuard(RequestDelegate next, IOptions<CorsAllowListOptions> cors, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method))
        {
            await next(http);
            return;
        }

        var origin = http.Request.Headers.Origin.ToString();
        var site = http.Request.Headers["Sec-Fetch-Site"].ToString();
        var sameOrigin = origin.Length > 0 && string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase);
        var allowed = origin.Length > 0 && cors.Value.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase);
        var crossSite = (origin.Length > 0 && !sameOrigin) || site.Equals("cross-site", StringComparison.OrdinalIgnoreCase);
        if (crossSite && !allowed)
        {
            await AuthProblemResultHandler.WriteAsync(problems, http, 403, "Cross-site request refused",
                $"a browser sent this {http.Request.Method} from another site ({(origin.Length > 0 ? origin : "Sec-Fetch-Site: cross-site")}); " +
                "only origins listed in Rag:Cors:AllowedOrigins may change data");
            return;
        }

        await next(http);
    }
}

/// <summary>The "Rag:Cors" section. Empty by default: no other site may call the service from a browser.</summary>
public sealed class CorsAllowListOptions
{
    public const string Section = "Rag:Cors";

    /// <summary>Origins (scheme://host[:port]) whose pages may call the service from a browser.</summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may cache a preflight answer.</summary>
    public TimeSpan PreflightMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    public void Validate()
    {
        foreach (var origin in AllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
            {
                throw new InvalidOperationException($"Rag:Cors:AllowedOrigins: '{origin}' is not an origin like https://app.example.com (scheme, host, optional port, no path)");
            }
        }
    }
}
