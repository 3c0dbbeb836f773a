using RagService.Api.Security;
using Serilog.AspNetCore;

namespace RagService.Api.Logging;

/// <summary>
/// Serilog's request logging: one structured line per request with method, path, status, elapsed time, the caller's
/// key id (never the key), the collection and the query stages' timings.
/// </summary>
internal static class RequestLog
{
    public static void Configure(RequestLoggingOptions options, Serilog.ILogger logger)
    {
        options.Logger = logger;
        options.MessageTemplate =
            "HTTP {RequestMethod} {RequestPath} -> {StatusCode} in {Elapsed:0.0} ms key={KeyId} collection={Collection} {Stages}";
        options.EnrichDiagnosticContext = (diagnostics, http) =>
        {
            diagnostics.Set("KeyId", Caller.From(http.User)?.KeyId ?? "-");
            diagnostics.Set("Collection", http.GetRouteValue("collection") as string ?? "-");
            diagnostics.Set("Stages", http.Items.TryGetValue(RequestTimings.Key, out var stages) ? stages as string ?? "" : "");
        };
    }
}
