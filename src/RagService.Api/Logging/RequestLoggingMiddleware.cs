using System.Diagnostics;
using RagService.Core.Retrieval;

namespace RagService.Api.Logging;

/// <summary>Writes one structured log line per request: method, path, status, elapsed time and the query stages' timings.</summary>
internal sealed class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(http);
        }
        finally
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var stages = http.Items.TryGetValue(RequestTimings.Key, out var s) ? s as string : null;
            logger.LogInformation("HTTP {Method} {Path} -> {Status} in {ElapsedMs:0.0} ms {Stages}",
                http.Request.Method, http.Request.Path.Value, http.Response.StatusCode, ms, stages ?? "");
        }
    }
}

/// <summary>Lets an endpoint attach its per-stage timings to the request's log line.</summary>
internal static class RequestTimings
{
    public const string Key = "rag.stages";

    public static void Record(HttpContext http, IEnumerable<StageReport> stages) =>
        http.Items[Key] = string.Join(' ', stages.Where(s => s.Status == "ok").Select(s => $"{s.Stage}={s.Milliseconds:0.0}ms/{s.Candidates}"));
}
