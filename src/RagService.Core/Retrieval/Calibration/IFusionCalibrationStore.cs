namespace RagService.Core.Retrieval.Calibration;

/// <summary>Where a collection's fusion calibration is kept, so it survives a restart.</summary>
public interface IFusionCalibrationStore
{
    Task<FusionCalibration?> GetAsync(long collectionId, CancellationToken ct);

    Task PutAsync(long collectionId, FusionCalibration calibration, CancellationToken ct);
}

/// <summary>Keeps calibrations in memory (for `rag eval` and hosts without a database).</summary>
public sealed class InMemoryFusionCalibrationStore : IFusionCalibrationStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, FusionCalibration> _byCollection = new();

    public Task<FusionCalibration?> GetAsync(long collectionId, CancellationToken ct) => Task.FromResult(_byCollection.GetValueOrDefault(collectionId));

    public Task PutAsync(long collectionId, FusionCalibration calibration, CancellationToken ct)
    {
        _byCollection[collectionId] = calibration;
        return Task.CompletedTask;
    }
}
