using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;

namespace RagService.Api.Calibration;

/// <summary>
/// Calibrates collections' fusion in the background, one at a time, as <see cref="CalibrationSchedule"/> hands them out
/// (after ingestion's writes have settled). At start it schedules every collection whose stored calibration is missing
/// or stale, e.g. because the embedding model changed, so no search has to wait for it. A collection is calibrated by one
/// replica at a time (a cluster lock per collection); the result is stored, so the others read it instead of redoing it.
/// </summary>
internal sealed class CalibrationWorker(CalibrationSchedule schedule, IKnowledgeStore store, IServiceProvider services, Core.Cluster.IClusterLock clusterLock,
    ILogger<CalibrationWorker> log)
    : BackgroundService
{
    /// <summary>Candidates each retriever ranks during calibration: what a search fuses by default.</summary>
    private static readonly int Candidates = new SearchQuery { Query = "" }.Candidates;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Without an embedding model there is no hybrid search and nothing to calibrate.
        if (services.GetService<FusionCalibrationService>() is not { } calibration)
        {
            return;
        }

        await Task.Yield();
        try
        {
            await ScheduleStaleAsync(calibration, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A broken data folder: searches keep their stored calibration or RRF; readiness reports the store.
            log.StartCheckFailed(e.Message);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            string name;
            try
            {
                name = await schedule.NextDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await CalibrateAsync(calibration, name, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Nothing was stored; the check at the next start schedules it again.
                return;
            }
            catch (Exception e)
            {
                log.CalibrationFailed(e, name);
            }
            finally
            {
                schedule.Finished(name);
            }
        }
    }

    private async Task ScheduleStaleAsync(FusionCalibrationService calibration, CancellationToken ct)
    {
        foreach (var collection in await store.ListCollectionsAsync(ct))
        {
            var state = await calibration.StateAsync(collection, ct);
            if (state.Stale is not null || (state.Calibration is null && state.Chunks >= calibration.Options.MinimumChunks))
            {
                log.CalibrationScheduled(collection.Name, state.Stale ?? "none stored");
                schedule.Request(collection.Name);
            }
        }
    }

    private async Task CalibrateAsync(FusionCalibrationService calibration, string name, CancellationToken ct)
    {
        // Looked up by name when due: a collection deleted meanwhile is skipped, one re-created under the name is calibrated.
        if (await store.GetCollectionAsync(name, ct) is not { } collection)
        {
            return;
        }

        await using var held = await clusterLock.TryAcquireAsync("calibration:" + name, ct);
        if (held is null)
        {
            log.CalibratedElsewhere(name);
            return;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (result, ran) = await calibration.CalibrateIfDueAsync(collection, Candidates, ct);
        if (ran)
        {
            log.Calibrated(name, watch.Elapsed.TotalSeconds,
                result?.Describe() ?? "too few chunks to calibrate; reciprocal-rank fusion");
        }
    }
}
