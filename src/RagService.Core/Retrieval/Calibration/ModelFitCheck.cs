using System.Collections.Concurrent;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>A collection's model fit with the warnings its rates raise.</summary>
public sealed record ModelFitReport(string ModelId, ModelFit Fit, IReadOnlyList<string> Warnings);

/// <summary>
/// How well the embedding model's tokenizer covers a collection: unknown-token and truncation rates over the same
/// deterministic chunk sample the calibration uses (tokenizing only, no model run), remembered per collection version.
/// As a health component it warns (state "warning", still ready) for every collection above a threshold.
/// </summary>
public sealed class ModelFitCheck(
    IKnowledgeStore store, IIndexSource source, ITextEmbedder embedder, ModelFitThresholds thresholds, CalibrationOptions calibration) : IComponentHealth
{
    private readonly ConcurrentDictionary<long, (long Version, ModelFitReport? Report)> _byCollection = new();

    /// <summary>The collection's fit; null when the embedder cannot measure it (no tokenizer) or the collection is empty.</summary>
    public async Task<ModelFitReport?> CheckAsync(CollectionInfo collection, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        if (_byCollection.TryGetValue(collection.Id, out var known) && known.Version == version)
        {
            return known.Report;
        }

        var sample = await ChunkSample.ReadAsync(store, source, collection, calibration.SampleSize, ct);
        var fit = sample.Count == 0 ? null : embedder.MeasureFit(sample.Select(ChunkSample.Embedded).ToList());
        var report = fit is null ? null : new ModelFitReport(embedder.ModelId, fit, thresholds.Warnings(fit, embedder.ModelId));
        _byCollection[collection.Id] = (version, report);
        return report;
    }

    public async Task<ComponentStatus> CheckAsync(CancellationToken ct)
    {
        var warnings = new List<string>();
        foreach (var collection in await store.ListCollectionsAsync(ct))
        {
            if (await CheckAsync(collection, ct) is { Warnings.Count: > 0 } report)
            {
                warnings.Add($"collection '{collection.Name}': {string.Join("; ", report.Warnings)}");
            }
        }

        return warnings.Count == 0
            ? ComponentStatus.On("model-fit", $"every collection's text fits {embedder.ModelId}")
            : new ComponentStatus("model-fit", "warning", string.Join(" | ", warnings));
    }
}
