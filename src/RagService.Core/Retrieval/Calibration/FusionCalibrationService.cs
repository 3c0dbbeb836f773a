using System.Collections.Concurrent;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>What a collection's fusion is right now: the calibration in use, whether it must be redone, and whether that is under way.</summary>
/// <param name="Calibration">The stored calibration hybrid search uses; null when there is none yet or the collection has too few chunks.</param>
/// <param name="Stale">Why <paramref name="Calibration"/> no longer applies (model changed, collection changed), null when current.</param>
public sealed record CalibrationState(FusionCalibration? Calibration, string? Stale, int Chunks)
{
    public CalibrationActivity Activity { get; init; }

    /// <summary>The fusion stage's words for the calibration in use, e.g. "calibrated weighted dense=0.45: … ; stale: …; recalibrating".</summary>
    public string DescribeInUse() => Calibration is null
        ? NotCalibrated
        : Stale is null ? Calibration.Describe() : $"{Calibration.Describe()}; stale: {Stale}{Activity switch
        {
            CalibrationActivity.Running => "; recalibrating",
            CalibrationActivity.Scheduled => "; recalibration scheduled",
            _ => "",
        }}";

    /// <summary>Why reciprocal-rank fusion is used instead: a calibration is on its way, or there is too little to calibrate from.</summary>
    public string NotCalibrated => Activity switch
    {
        CalibrationActivity.Running => "not calibrated yet: calibration running",
        CalibrationActivity.Scheduled => "not calibrated yet: calibration scheduled",
        _ => "not calibrated: too few chunks to sample pseudo-queries from",
    };
}

/// <summary>
/// Gives each collection its calibrated fusion. Calibrating happens off the search path: ingestion asks
/// <see cref="CalibrationSchedule"/> for it and a background worker calls <see cref="CalibrateIfDueAsync"/>, which
/// calibrates when there is no stored calibration, the embedding model changed, or the chunk count moved by more than
/// <see cref="CalibrationOptions.RecalibrateAfterChange"/>. Searches read <see cref="InUseAsync"/> and never wait: they
/// use the stored calibration even when stale, or RRF while there is none. One calibration per collection runs at a time.
/// </summary>
public sealed class FusionCalibrationService(
    IKnowledgeStore store, IIndexSource source, IFusionCalibrationStore calibrations, AnalyzerCatalog analyzers, ITextEmbedder embedder,
    CalibrationOptions? options = null, Bm25Parameters? bm25 = null, CalibrationSchedule? schedule = null, ICalibrationObserver? observer = null)
{
    private readonly CalibrationOptions _options = options ?? new CalibrationOptions();
    private readonly Bm25Parameters _bm25 = bm25 ?? new Bm25Parameters();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();

    // Per collection version and model: what is in use, so searches do not read the store each time. Attempted: a
    // calibration ran (or found nothing to do) at this version, so a search need not ask for one.
    private readonly ConcurrentDictionary<long, Known> _known = new();

    public CalibrationOptions Options => _options;

    /// <summary>The calibration in use, whether it is stale and what the background is doing about it; never calibrates.</summary>
    public async Task<CalibrationState> StateAsync(CollectionInfo collection, CancellationToken ct)
    {
        return StateOf(collection, await KnownAsync(collection, ct));
    }

    /// <summary>
    /// For a search: <see cref="StateAsync"/>, and when the calibration is missing or stale and nothing is scheduled (the
    /// last calibration failed, or a write did not come through the service's ingestion), asks the schedule for one.
    /// Returns at once either way.
    /// </summary>
    public async Task<CalibrationState> InUseAsync(CollectionInfo collection, CancellationToken ct)
    {
        var known = await KnownAsync(collection, ct);
        if (schedule is not null && !known.Attempted && (known.Calibration is null || known.Stale is not null)
            && schedule.ActivityOf(collection.Name) == CalibrationActivity.Idle)
        {
            schedule.Request(collection.Name);
        }

        return StateOf(collection, known);
    }

    /// <summary>
    /// Calibrates now when the stored calibration is missing or stale (`rag eval` does this before measuring); returns the calibration in use after
    /// it, null when the collection is too small to measure.
    /// </summary>
    public async Task<FusionCalibration?> GetOrCalibrateAsync(CollectionInfo collection, int candidates, CancellationToken ct) =>
        (await CalibrateIfDueAsync(collection, candidates, ct)).Calibration;

    /// <summary>Calibrates when the stored calibration is missing or stale, else keeps it; Ran says whether it calibrated.</summary>
    public async Task<(FusionCalibration? Calibration, bool Ran)> CalibrateIfDueAsync(CollectionInfo collection, int candidates, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(collection.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            // Read before sampling: a write during the calibration moves the version, so the next look reads the store again.
            var version = await source.GetVersionAsync(collection.Id, ct);
            var stored = await calibrations.GetAsync(collection.Id, ct);
            var chunks = (await store.GetStatsAsync(collection, null, ct)).Chunks;
            var ran = stored is null || StaleReason(stored, chunks) is not null;
            FusionCalibration? calibration = stored;
            if (ran)
            {
                if (observer is not null)
                {
                    await observer.BeforeCalibratingAsync(collection, ct);
                }

                calibration = await CalibrateAsync(collection, chunks, candidates, ct);
            }

            _known[collection.Id] = new Known(version, embedder.ModelId, calibration, null, chunks, Attempted: true);
            return (calibration, ran);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Why a stored calibration no longer applies to the collection as it is now; null when it still does.</summary>
    public string? StaleReason(FusionCalibration stored, int chunks)
    {
        if (stored.ModelId != embedder.ModelId || stored.ModelDimension != embedder.Dimension)
        {
            return $"embedding model changed: calibrated with {stored.ModelId} ({stored.ModelDimension} dimensions), now {embedder.ModelId} ({embedder.Dimension})";
        }

        var moved = Math.Abs(chunks - stored.Chunks) / (double)Math.Max(stored.Chunks, 1);
        return moved > _options.RecalibrateAfterChange
            ? FormattableString.Invariant($"collection changed: {stored.Chunks} chunks when calibrated, {chunks} now (more than RecalibrateAfterChange {_options.RecalibrateAfterChange:P0})")
            : null;
    }

    private CalibrationState StateOf(CollectionInfo collection, Known known) =>
        new(known.Calibration, known.Stale, known.Chunks) { Activity = schedule?.ActivityOf(collection.Name) ?? CalibrationActivity.Idle };

    private async Task<Known> KnownAsync(CollectionInfo collection, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        if (_known.TryGetValue(collection.Id, out var known) && known.Version == version && known.ModelId == embedder.ModelId)
        {
            return known;
        }

        var stored = await calibrations.GetAsync(collection.Id, ct);
        var chunks = (await store.GetStatsAsync(collection, null, ct)).Chunks;
        var fresh = new Known(version, embedder.ModelId, stored, stored is null ? null : StaleReason(stored, chunks), chunks, Attempted: false);
        // A calibration that finished meanwhile for this version wins over what was read before it.
        return _known.AddOrUpdate(collection.Id, fresh, (_, current) => current.Version == version && current.Attempted ? current : fresh);
    }

    private async Task<FusionCalibration?> CalibrateAsync(CollectionInfo collection, int chunks, int candidates, CancellationToken ct)
    {
        var sample = await ChunkSample.ReadAsync(store, source, collection, _options.SampleSize, ct);
        var calibration = await new FusionCalibrator(embedder, _bm25, _options).CalibrateAsync(sample, analyzers.For(collection.Settings), chunks, candidates, ct);
        if (calibration is not null)
        {
            await calibrations.PutAsync(collection.Id, calibration, ct);
        }

        return calibration;
    }

    private sealed record Known(long Version, string ModelId, FusionCalibration? Calibration, string? Stale, int Chunks, bool Attempted);
}

/// <summary>A seam around each calibration that runs (tests hold it at a gate or count the runs).</summary>
public interface ICalibrationObserver
{
    /// <summary>Called when a calibration is about to run, inside the collection's calibration lock.</summary>
    Task BeforeCalibratingAsync(CollectionInfo collection, CancellationToken ct);
}
