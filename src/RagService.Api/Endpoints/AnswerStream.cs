using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using RagService.Api.Errors;
using RagService.Api.Logging;
using RagService.Core.Diagnostics;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;

namespace RagService.Api.Endpoints;

/// <summary>
/// Writes an answer as server-sent events: "token" events with pieces of text as the LLM produces them, then one
/// "done" event carrying the whole response (answer, sources, prompt, stages). The first token is awaited before the
/// response starts, so an LLM that fails at once still gets a proper 502/504 problem detail; one that fails later (e.g.
/// stalls longer than Llm:StreamIdleTimeout) ends the stream with an "error" event carrying the same problem detail.
/// </summary>
internal static class AnswerStream
{
    public static async Task WriteAsync(HttpContext http, SearchQuery query, (AskOutcome Start, IAsyncEnumerable<string> Tokens) stream, CancellationToken ct,
        HitProjection? projection = null)
    {
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var (start, tokens) = stream;
        RequestTimings.Record(http, SearchEndpoints.Stages(start));
        var sw = Stopwatch.StartNew();
        await using var e = tokens.GetAsyncEnumerator(ct);
        var hasToken = await e.MoveNextAsync();

        StartEventStream(http);
        var answer = new System.Text.StringBuilder();
        while (hasToken)
        {
            answer.Append(e.Current);
            await SendAsync(http, "token", new { text = e.Current }, json, ct);
            try
            {
                hasToken = await e.MoveNextAsync();
            }
            catch (LlmUnavailableException failure)
            {
                var (status, title, detail) = ProblemExceptionHandler.Describe(failure);
                await SendAsync(http, "error", new { title, status, detail, instance = http.Request.Path.Value }, json, ct);
                return;
            }
        }

        var text = start.Llm == "not configured" ? null : answer.ToString();
        if (start.Llm == "ok")
        {
            RagTelemetry.RecordStages([new StageReport("llm", "ok", 0, sw.Elapsed.TotalMilliseconds)], DateTimeOffset.UtcNow - sw.Elapsed);
        }

        var response = SearchEndpoints.ToResponse(query, start, text, start.Llm == "ok" ? sw.Elapsed.TotalMilliseconds : 0, projection);
        await SendAsync(http, "done", response, json, ct);
    }

    /// <summary>Server-sent events headers: not cached, not buffered by a proxy.</summary>
    public static void StartEventStream(HttpContext http)
    {
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
    }

    private static async Task SendAsync(HttpContext http, string name, object data, JsonSerializerOptions json, CancellationToken ct)
    {
        await http.Response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, json)}\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
