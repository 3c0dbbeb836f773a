using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Lexical.Memory;

/// <summary>
/// The "memory" BM25 engine: one in-memory <see cref="LexicalIndex"/> (BM25F) per collection, built from the terms stored
/// in SQLite and kept current by this process's writes; a version this process did not write makes the next search
/// rebuild it (see <see cref="VersionedCache{TIndex}"/>). Nothing is kept on disk.
/// </summary>
public sealed class MemoryLexicalSearchIndex(IIndexSource source, Bm25Parameters parameters) : ILexicalSearchIndex, IDisposable
{
    private readonly VersionedCache<LexicalIndex> _cache = new();

    public string Engine => "memory";

    public async Task<IReadOnlyList<ScoredChunk>> SearchAsync(
        CollectionInfo collection, IReadOnlyList<string> queryTerms, int limit, SearchFilter filter, CancellationToken ct)
    {
        if (queryTerms.Count == 0)
        {
            return [];
        }

        var version = await source.GetVersionAsync(collection.Id, ct);
        var allowed = await source.ChunksMatchingAsync(collection, filter, ct);
        var index = (await _cache.GetAsync(collection.Id, version, () => Load(collection.Id), ct))!;
        return index.Search(queryTerms, limit, parameters, allowed is null ? null : allowed.Contains)
            .Select(h => new ScoredChunk(h.Id, h.Score)).ToList();
    }

    /// <summary>See <see cref="VersionedCache{TIndex}.LocalWrite"/>.</summary>
    public IDisposable LocalWrite(long collectionId) => _cache.LocalWrite(collectionId);
    public async Task<TermStatistics?> GetTermStatisticsAsync(CollectionInfo collection, IReadOnlyList<string> terms, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        var index = (await _cache.GetAsync(collection.Id, version, () => Load(collection.Id), ct))!;
        return index.Statistics(terms);
    }

    public void Apply(IndexChange change) =>
        _cache.Apply(change.Collection.Id, change.Version, index =>
        {
            foreach (var id in change.Removed)
            {
                index.Remove(id);
            }

            foreach (var entry in change.Added)
            {
                index.Add(entry.ChunkId, entry.BodyTerms, entry.HeaderTerms);
            }

            return true;
        });

    public void Drop(long collectionId) => _cache.Invalidate(collectionId);

    public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct)
    {
        var (index, _) = _cache.Peek(collection.Id);
        return Task.FromResult(new IndexStats(Engine, index?.Count ?? 0, 0, index is null ? "not loaded" : "built from SQLite"));
    }

    public Task<ComponentStatus> CheckAsync(CancellationToken ct) =>
        Task.FromResult(ComponentStatus.On("bm25", $"memory BM25F (k1={parameters.K1}, b={parameters.B}, header weight {parameters.HeaderWeight})"));

    public void Dispose() => _cache.Dispose();

    private (LexicalIndex?, long) Load(long collectionId)
    {
        using var snapshot = source.OpenSnapshot(collectionId);
        var index = new LexicalIndex();
        foreach (var entry in snapshot.ReadTerms())
        {
            index.Add(entry.ChunkId, entry.BodyTerms, entry.HeaderTerms);
        }

        return (index, snapshot.Version);
    }
}
