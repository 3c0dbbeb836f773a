using RagService.Core.Storage;

namespace RagService.Core.Context;

/// <summary>Reads a document's chunk by its place in reading order (what expansion grows into).</summary>
public interface IChunkNeighbours
{
    /// <summary>The chunk at the 0-based <paramref name="ordinal"/> of the document, or null when there is none.</summary>
    Task<StoredChunk?> GetAsync(string documentId, int ordinal, CancellationToken ct);
}

/// <summary>
/// Neighbours read from the store (<see cref="IKnowledgeStore.ListChunkIdsAsync"/> paged by ordinal), remembered for one
/// assembly. Inside a <see cref="LocalStateScope"/> with the store unreachable there are none: the context holds the
/// hits alone, not grown into their neighbours, and the scope is degraded.
/// </summary>
public sealed class StoreChunkNeighbours(IKnowledgeStore store, CollectionInfo collection) : IChunkNeighbours
{
    private readonly Dictionary<(string, int), StoredChunk?> _read = [];

    public async Task<StoredChunk?> GetAsync(string documentId, int ordinal, CancellationToken ct)
    {
        if (ordinal < 0)
        {
            return null;
        }

        if (!_read.TryGetValue((documentId, ordinal), out var chunk))
        {
            try
            {
                var ids = await store.ListChunkIdsAsync(collection, documentId, ordinal, 1, ct);
                chunk = ids.Count == 0 ? null : (await store.GetChunksAsync(ids, ct)).FirstOrDefault(c => c.Ordinal == ordinal);
            }
            catch (StorageUnavailableException fault) when (LocalStateScope.Current is { } scope)
            {
                scope.Degrade(fault);
                chunk = null;
            }

            _read[(documentId, ordinal)] = chunk;
        }

        return chunk;
    }
}
