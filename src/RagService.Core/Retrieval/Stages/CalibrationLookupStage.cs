using System.Diagnostics;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Retrieval.Pipeline;

namespace RagService.Core.Retrieval.Stages;

/// <summary>
/// Looks up the collection's fusion calibration for a calibrated hybrid search, before the retrievers run (it can turn
/// dense retrieval off). Never waits for a calibration: the stored one, even stale, or none (FusionCalibrationService).
/// Not reported on its own: its time counts towards the fusion stage.
/// </summary>
public sealed class CalibrationLookupStage(FusionCalibrationService calibration) : ISearchStage
{
    public string Name => "calibration";

    public async Task<StageResult?> RunAsync(SearchContext context)
    {
        if (context.Query is { Mode: RetrievalMode.Hybrid, Fusion: FusionMethod.Calibrated })
        {
            var watch = Stopwatch.StartNew();
            context.Calibration = await calibration.InUseAsync(context.Collection, context.CancellationToken);
            context.CalibrationMilliseconds = watch.Elapsed.TotalMilliseconds;
        }

        return null;
    }
}
