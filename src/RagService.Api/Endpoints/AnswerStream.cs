using System.Diagnostics;
using System.Net.ServerSentEvents;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Logging;
using RagService.Core.Diagnostics;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;

namespace RagService.Api.Endpoints;

/// <summary>
/// An answer as server-sent events (framed by <see cref="TypedResults.ServerSentEvents{T}(IAsyncEnumerable{SseItem{T}})"/>):
/// "token" events with pieces of text as the LLM produces them, then one "done" event carrying the whole response
/// (answer, sources, prompt, stages, and, as in a non-streamed ask, the version searched and the "degraded" object when
/// this replica answered from its local state). The first token is awaited before the result is returned, so before the response
/// starts: an LLM that fails at once still gets a proper 502/504 problem detail; one that fails later (e.g. stalls
/// longer than Llm:StreamIdleTimeout) ends the stream with an "error" event carrying the same problem detail.
/// </summary>
internal static class AnswerStream
{
    /// <summary>Awaits the first token, then returns the event stream; an LLM failure before it throws (a problem detail).</summary>
    /// <param name="searched">The version and degraded object the "done" event reports (see <see cref="AskResponse"/>).</param>
    public static async Task<IResult> StartAsync(HttpContext http, SearchQuery query, (AskOutcome Start, IAsyncEnumerable<string> Tokens) stream, CancellationToken ct,
        HitProjection? projection = null, (long? Version, DegradedResponse? Degraded) searched = default)
    {
        var (start, tokens) = stream;
        RequestTimings.Record(http, SearchEndpoints.Stages(start));
        var sw = Stopwatch.StartNew();
        var e = tokens.GetAsyncEnumerator(ct);
        bool hasToken;
        try
        {
            hasToken = await e.MoveNextAsync();
        }
        catch
        {
            await e.DisposeAsync();
            throw;
        }

        http.Response.Headers["X-Accel-Buffering"] = "no"; // nginx and the like would otherwise hold the events back
        return TypedResults.ServerSentEvents(EventsAsync(http, query, start, e, hasToken, sw, projection, searched));
    }

    /// <summary>Starts the stream (<see cref="StartAsync"/>) and writes it to the response.</summary>
    public static async Task WriteAsync(HttpContext http, SearchQuery query, (AskOutcome Start, IAsyncEnumerable<string> Tokens) stream, CancellationToken ct,
        HitProjection? projection = null, (long? Version, DegradedResponse? Degraded) searched = default) =>
        await (await StartAsync(http, query, stream, ct, projection, searched)).ExecuteAsync(http);

    private static async IAsyncEnumerable<SseItem<object>> EventsAsync(HttpContext http, SearchQuery query, AskOutcome start, IAsyncEnumerator<string> tokens,
        bool hasToken, Stopwatch sw, HitProjection? projection, (long? Version, DegradedResponse? Degraded) searched)
    {
        await using var e = tokens;
        var answer = new System.Text.StringBuilder();
        while (hasToken)
        {
            answer.Append(e.Current);
            yield return new SseItem<object>(new { text = e.Current }, "token");
            LlmUnavailableException? failure = null;
            try
            {
                hasToken = await e.MoveNextAsync();
            }
            catch (LlmUnavailableException f)
            {
                failure = f;
            }

            if (failure is not null)
            {
                var (status, title, detail) = ProblemExceptionHandler.Describe(failure);
                yield return new SseItem<object>(new { title, status, detail, instance = http.Request.Path.Value }, "error");
                yield break;
            }
        }

        var text = start.Llm == "not configured" ? null : answer.ToString();
        if (start.Llm == "ok")
        {
            RagTelemetry.RecordStages([new StageReport("llm", "ok", 0, sw.Elapsed.TotalMilliseconds)], DateTimeOffset.UtcNow - sw.Elapsed);
        }

        var done = SearchEndpoints.ToResponse(query, start, text, start.Llm == "ok" ? sw.Elapsed.TotalMilliseconds : 0, projection);
        yield return new SseItem<object>(done with { Version = searched.Version, Degraded = searched.Degraded }, "done");
    }

    /// <summary>
    /// Server-sent events headers for a stream written by hand (the OpenAI-compatible chat stream, whose unnamed
    /// "data:" lines end with a raw "[DONE]" that the typed SSE result would serialize as JSON): not cached, not buffered
    /// by a proxy.
    /// </summary>
    public static void StartEventStream(HttpContext http)
    {
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
    }
}
