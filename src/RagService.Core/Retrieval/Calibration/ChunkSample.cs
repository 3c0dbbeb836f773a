using RagService.Core.Indexing;
using RagService.Core.Ingestion;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>
/// A deterministic, evenly spread sample of a collection's chunks: ids ordered by a hash of the id, the first n taken.
/// The same collection content always gives the same sample, so calibrations and model-fit checks are reproducible.
/// </summary>
public static class ChunkSample
{
    public static async Task<IReadOnlyList<CalibrationChunk>> ReadAsync(IKnowledgeStore store, IIndexSource source, CollectionInfo collection, int size, CancellationToken ct)
    {
        List<long> ids;
        using (var snapshot = source.OpenSnapshot(collection.Id))
        {
            ids = snapshot.ReadTerms().Select(e => e.ChunkId).OrderBy(Mix).ThenBy(id => id).Take(size).ToList();
        }

        return (await store.GetChunksAsync(ids, ct))
            .Select(c => new CalibrationChunk(collection.Settings.ContextualHeaders ? ContextHeader.For(c.DocumentTitle, c.HeadingPath) : "", c.Text)).ToList();
    }

    /// <summary>The text the embedder sees for a chunk: header, new line, text (as ingestion embeds it).</summary>
    public static string Embedded(CalibrationChunk chunk) => chunk.Header.Length == 0 ? chunk.Text : chunk.Header + "\n" + chunk.Text;

    /// <summary>SplitMix64's finaliser: spreads consecutive ids uniformly, so the sample does not favour the first documents.</summary>
    private static ulong Mix(long id)
    {
        var z = (ulong)id + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
