using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Tests.Shared;

/// <summary>An index that records every change a store prepares, in order, and does nothing else.</summary>
public sealed class RecordingIndex : ISearchIndex
{
    public List<IndexChange> Changes { get; } = [];

    public string Engine => "recording";

    public Task PrepareAsync(IndexChange change, CancellationToken ct)
    {
        Changes.Add(change);
        return Task.CompletedTask;
    }

    public void Apply(IndexChange change)
    {
    }

    public void Drop(long collectionId)
    {
    }

    public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct) => Task.FromResult(new IndexStats(Engine, 0, 0, ""));

    public Task<ComponentStatus> CheckAsync(CancellationToken ct) => Task.FromResult(ComponentStatus.On("recording", ""));
}
