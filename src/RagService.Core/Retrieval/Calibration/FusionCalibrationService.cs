using System.Collections.Concurrent;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>What a collection's fusion is right now: the stored calibration, and whether it must be redone.</summary>
/// <param name="Stale">Why the stored calibration no longer applies (model changed, collection changed), null when current.</param>
public sealed record CalibrationState(FusionCalibration? Calibration, string? Stale, int Chunks);

/// <summary>
/// Gives each collection its calibrated fusion: reads the stored calibration, and calibrates again (at the first hybrid
/// search that needs it) when there is none, the embedding model changed, or the chunk count moved by more than
/// <see cref="CalibrationOptions.RecalibrateAfterChange"/>. One calibration per collection runs at a time.
/// </summary>
public sealed class FusionCalibrationService(
    IKnowledgeStore store, IIndexSource source, IFusionCalibrationStore calibrations, AnalyzerCatalog analyzers, ITextEmbedder embedder,
    CalibrationOptions? options = null, Bm25Parameters? bm25 = null)
{
    private readonly CalibrationOptions _options = options ?? new CalibrationOptions();
    private readonly Bm25Parameters _bm25 = bm25 ?? new Bm25Parameters();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();
    private readonly ConcurrentDictionary<long, (long Version, string ModelId, FusionCalibration? Calibration)> _current = new();

    public CalibrationOptions Options => _options;

    /// <summary>The stored calibration and whether it is stale, without calibrating.</summary>
    public async Task<CalibrationState> StateAsync(CollectionInfo collection, CancellationToken ct)
    {
        var stored = await calibrations.GetAsync(collection.Id, ct);
        var chunks = (await store.GetStatsAsync(collection, ct)).Chunks;
        return new CalibrationState(stored, stored is null ? null : StaleReason(stored, chunks), chunks);
    }

    /// <summary>The collection's calibration, calibrating first when it is missing or stale; null when the collection is too small to measure.</summary>
    public async Task<FusionCalibration?> GetOrCalibrateAsync(CollectionInfo collection, int candidates, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        // Per collection version: a collection too small to calibrate is not re-sampled at every search either.
        if (_current.TryGetValue(collection.Id, out var cached) && cached.Version == version && cached.ModelId == embedder.ModelId)
        {
            return cached.Calibration;
        }

        var gate = _locks.GetOrAdd(collection.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var state = await StateAsync(collection, ct);
            var calibration = state.Calibration is { } c && state.Stale is null ? c : await CalibrateAsync(collection, state.Chunks, candidates, ct);
            _current[collection.Id] = (version, embedder.ModelId, calibration);
            return calibration;
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
}
