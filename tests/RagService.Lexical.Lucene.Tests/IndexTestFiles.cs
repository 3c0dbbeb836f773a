using Microsoft.Data.Sqlite;
using RagService.Core.Storage;
using RagService.Storage.Sqlite;

namespace RagService.Lexical.Lucene.Tests;

/// <summary>What the engine tests share: reading hits back as document ids, and removing a test's folder.</summary>
internal static class IndexTestFiles
{
    public static async Task<IReadOnlyList<string>> DocumentIdsAsync(SqliteKnowledgeStore store, IReadOnlyList<ScoredChunk> hits) =>
        (await store.GetChunksAsync(hits.Select(h => h.ChunkId).ToList(), default)).Select(c => c.DocumentId).ToList();

    /// <summary>Disposes the engines, then deletes the folder (a file still held open is left for the OS to clean).</summary>
    public static void Remove(string dir, IEnumerable<IDisposable> owned)
    {
        foreach (var o in owned)
        {
            o.Dispose();
        }

        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
