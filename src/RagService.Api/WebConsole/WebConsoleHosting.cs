using Microsoft.Extensions.FileProviders;

namespace RagService.Api.WebConsole;

/// <summary>
/// Serves the web console (plain HTML, JS modules and CSS under WebConsole/assets, copied to "console" in the build
/// output) at "/". The files are public: the page signs in with an API key the user types, kept in sessionStorage.
/// </summary>
public static class WebConsoleHosting
{
    /// <summary>Only this origin's scripts, styles and API: the console needs nothing from the internet.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static WebApplication UseRagWebConsole(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "console");
        if (!Directory.Exists(root))
        {
            return app;
        }

        var files = new PhysicalFileProvider(root);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                // Revalidate on every load so an upgraded service never runs with a stale script.
                context.Context.Response.Headers.CacheControl = "no-cache";
                context.Context.Response.Headers["Content-Security-Policy"] = ContentSecurityPolicy;
                context.Context.Response.Headers.XContentTypeOptions = "nosniff";
            },
        });
        return app;
    }
}
