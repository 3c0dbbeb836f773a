namespace RagService.Core.Cluster;

/// <summary>
/// Named locks shared by every replica of the cluster, for work that one replica should do at a time: job and change-log
/// cleanup, a collection's fusion calibration, demo seeding. A holder that dies releases what it held.
/// </summary>
public interface IClusterLock
{
    /// <summary>Takes lock <paramref name="name"/>, or returns null at once when another holder has it; disposing the result releases it.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken ct);
}
