using System.Text.Json;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Storage.Sqlite;

namespace RagService.Lexical.Lucene.Tests;

/// <summary>
/// The local copy of the chunk records (ILocalChunkCopy) of a collection this process has not opened is read from the
/// last commit in its folder: what a replica that served only dense searches holds when the store goes away.
/// Expected records are the store's own read.
/// </summary>
public sealed class LuceneChunkCopyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-lucene-copy-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<IDisposable> _owned = [];

    [Fact]
    public async Task A_collection_not_opened_by_this_process_answers_from_its_committed_folder_and_one_never_indexed_holds_nothing()
    {
        var options = new SqliteStoreOptions { DatabasePath = Path.Combine(_dir, "kb.db") };
        var source = new SqliteIndexSource(options);
        var writer = Open(source);
        var store = new SqliteKnowledgeStore(options, [writer]);
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, new DocumentWrite("d", "Title", "hash", "text", new Dictionary<string, string> { ["k"] = "v" },
            [new IndexedChunk(new Chunk(0, "alpha", ["H"], 2), ["alpha"], []), new IndexedChunk(new Chunk(1, "beta", [], null), ["beta"], [])]), default);
        writer.Dispose(); // a clean stop commits
        _owned.Remove(writer);

        var restarted = Open(source);
        var ids = await store.ListChunkIdsAsync(kb, "d", 0, 10, default);
        var held = restarted.Held(kb.Id, [.. ids, ids.Max() + 1]);
        Assert.Equal(JsonSerializer.Serialize(await store.GetChunksAsync(ids, default)), JsonSerializer.Serialize(ids.Select(id => held[id])));
        Assert.Equal(ids.Count, held.Count);
        Assert.Equal("not loaded", (await restarted.GetStatsAsync(kb, default)).Load); // read without opening it
        Assert.Empty(restarted.Held(kb.Id + 1, ids));
    }

    public void Dispose() => IndexTestFiles.Remove(_dir, _owned);

    private LuceneLexicalSearchIndex Open(SqliteIndexSource source)
    {
        var lucene = new LuceneLexicalSearchIndex(source, new LuceneOptions { Directory = Path.Combine(_dir, "lucene") });
        _owned.Add(lucene);
        return lucene;
    }
}
