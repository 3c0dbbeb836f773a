using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Api.Tests.Sync;

/// <summary>
/// A derived index that does nothing but hold the service's first document write before it commits
/// (<see cref="ISearchIndex.PrepareAsync"/>): it signals <see cref="Held"/> and waits until the test calls <see cref="Release"/>.
/// </summary>
internal sealed class HeldWriteIndex : ISearchIndex
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writes;

    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Engine => "held-write";

    public void Release() => _released.TrySetResult();

    public async Task PrepareAsync(IndexChange change, CancellationToken ct)
    {
        if (Interlocked.Increment(ref _writes) == 1)
        {
            Held.TrySetResult();
            await _released.Task.WaitAsync(ct);
        }
    }

    public void Apply(IndexChange change)
    {
    }

    public void Drop(long collectionId)
    {
    }

    public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct) => Task.FromResult(new IndexStats(Engine, 0, 0, "not loaded"));

    public Task<ComponentStatus> CheckAsync(CancellationToken ct) => Task.FromResult(ComponentStatus.On(Engine, "holds the first write"));
}
