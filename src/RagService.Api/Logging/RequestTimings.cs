using RagService.Core.Retrieval;

namespace RagService.Api.Logging;

/// <summary>Lets an endpoint attach its per-stage timings to the request's log line.</summary>
internal static class RequestTimings
{
    public const string Key = "rag.stages";

    public static void Record(HttpContext http, IEnumerable<StageReport> stages) =>
        http.Items[Key] = string.Join(' ', stages.Where(s => s.Status == "ok").Select(s => $"{s.Stage}={s.Milliseconds:0.0}ms/{s.Candidates}"));
}
