using System.Diagnostics;
using System.Diagnostics.Metrics;
using RagService.Core.Retrieval;

namespace RagService.Core.Diagnostics;

/// <summary>
/// The service's own traces and metrics, on the BCL's System.Diagnostics types so Core needs no telemetry package;
/// the host subscribes to <see cref="Name"/> (OpenTelemetry: AddSource / AddMeter) and exports them.
/// </summary>
public static class RagTelemetry
{
    public const string Name = "RagService";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Milliseconds per query stage (bm25, dense, fusion, rerank, fetch, llm), tagged with the stage.</summary>
    public static readonly Histogram<double> StageDuration =
        Meter.CreateHistogram<double>("rag.stage.duration", "ms", "Time spent in one search or ask stage");

    /// <summary>Documents through ingestion, tagged with the outcome (created, updated, unchanged).</summary>
    public static readonly Counter<long> IngestedDocuments =
        Meter.CreateCounter<long>("rag.ingest.documents", "{document}", "Documents ingested, by outcome");

    /// <summary>UTF-8 bytes of extracted text ingested.</summary>
    public static readonly Counter<long> IngestedBytes =
        Meter.CreateCounter<long>("rag.ingest.bytes", "By", "UTF-8 bytes of extracted text ingested");

    /// <summary>The order the search runs its stages in (reports list fetch last, but it runs before rerank).</summary>
    private static readonly string[] ExecutionOrder = ["bm25", "dense", "fusion", "neighbours", "fetch", "rerank", "llm"];

    /// <summary>
    /// Records a finished search: one child span per stage that ran, with the stage's measured duration, and the
    /// stage latency histogram. BM25 and dense run side by side from the start; the later stages follow each other.
    /// </summary>
    public static void RecordStages(IReadOnlyList<StageReport> stages, DateTimeOffset started)
    {
        var parallelEnd = started;
        var next = started;
        foreach (var stage in stages.Where(s => s.Status == "ok").OrderBy(s => Array.IndexOf(ExecutionOrder, s.Stage) is var i and >= 0 ? i : int.MaxValue))
        {
            StageDuration.Record(stage.Milliseconds, new KeyValuePair<string, object?>("stage", stage.Stage));
            var begin = stage.Stage is "bm25" or "dense" ? started : Max(next, parallelEnd);
            var end = begin.AddMilliseconds(stage.Milliseconds);
            if (stage.Stage is "bm25" or "dense")
            {
                parallelEnd = Max(parallelEnd, end);
            }
            else
            {
                next = end;
            }

            using var activity = Source.StartActivity("rag." + stage.Stage, ActivityKind.Internal, parentContext: default, startTime: begin);
            if (activity is not null)
            {
                activity.SetTag("rag.stage", stage.Stage);
                activity.SetTag("rag.candidates", stage.Candidates);
                activity.SetEndTime(end.UtcDateTime);
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
