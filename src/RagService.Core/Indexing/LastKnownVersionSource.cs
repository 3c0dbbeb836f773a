using System.Collections.Concurrent;
using RagService.Core.Storage;

namespace RagService.Core.Indexing;

/// <summary>
/// The store's <see cref="IIndexSource"/>, remembering each collection's version as last read. Inside a
/// <see cref="LocalStateScope"/>, a version read the store cannot answer (<see cref="StorageUnavailableException"/>)
/// answers the remembered version instead and degrades the scope: an index holding that version or a later one is then
/// searched as it is, one holding less tries to catch up and meets the fault. Never falls back for
/// <see cref="ReadCommittedVersionAsync"/> (access decisions are checked against the store itself) or for filters.
/// </summary>
public sealed class LastKnownVersionSource(IIndexSource inner) : IIndexSource
{
    private readonly ConcurrentDictionary<long, long> _known = new();

    /// <summary>The version last read for the collection; null when none was read (or it was forgotten).</summary>
    public long? Known(long collectionId) => _known.TryGetValue(collectionId, out var version) ? version : null;

    /// <summary>The collection was deleted: its version means nothing any more.</summary>
    public void Forget(long collectionId) => _known.TryRemove(collectionId, out _);

    public async Task<long> GetVersionAsync(long collectionId, CancellationToken ct)
    {
        try
        {
            return Remember(collectionId, await inner.GetVersionAsync(collectionId, ct));
        }
        catch (StorageUnavailableException fault) when (LocalStateScope.Current is { } scope && Known(collectionId) is { } version)
        {
            scope.Degrade(fault);
            return version;
        }
    }

    public async Task<long> ReadCommittedVersionAsync(long collectionId, CancellationToken ct) =>
        Remember(collectionId, await inner.ReadCommittedVersionAsync(collectionId, ct));

    public Task<IReadOnlySet<long>?> ChunksMatchingAsync(CollectionInfo collection, SearchFilter filter, CancellationToken ct) =>
        inner.ChunksMatchingAsync(collection, filter, ct);

    public IIndexSnapshot OpenSnapshot(long collectionId) => inner.OpenSnapshot(collectionId);

    private long Remember(long collectionId, long version)
    {
        _known.AddOrUpdate(collectionId, version, (_, old) => Math.Max(old, version));
        return version;
    }
}
