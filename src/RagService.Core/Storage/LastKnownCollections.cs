using System.Collections.Concurrent;

namespace RagService.Core.Storage;

/// <summary>
/// Collection descriptions as this process last read them from the store, by name. A lookup reads the store and keeps
/// what it found (forgets the name when the store says it does not exist). Inside a <see cref="LocalStateScope"/>, a
/// lookup the store cannot answer (<see cref="StorageUnavailableException"/>) answers the kept description and degrades
/// the scope; outside one, or for a name never read, the fault goes on to the caller. A description only changes by
/// deleting and re-creating the collection (a new id), so a kept one is never wrong about the collection it names.
/// </summary>
public sealed class LastKnownCollections
{
    private readonly ConcurrentDictionary<string, CollectionInfo> _known = new(StringComparer.Ordinal);

    public async Task<CollectionInfo?> GetAsync(IKnowledgeReader store, string name, CancellationToken ct)
    {
        CollectionInfo? found;
        try
        {
            found = await store.GetCollectionAsync(name, ct);
        }
        catch (StorageUnavailableException fault) when (LocalStateScope.Current is { } scope && _known.TryGetValue(name, out var kept))
        {
            scope.Degrade(fault);
            return kept;
        }

        if (found is null)
        {
            _known.TryRemove(name, out _);
        }
        else
        {
            _known[name] = found;
        }

        return found;
    }
}
