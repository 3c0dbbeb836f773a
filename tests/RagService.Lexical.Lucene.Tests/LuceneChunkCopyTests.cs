using System.Text.Json;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Index;
using Lucene.Net.Util;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Storage.Sqlite;
using FSDirectory = Lucene.Net.Store.FSDirectory;

namespace RagService.Lexical.Lucene.Tests;

/// <summary>
/// The Lucene engine's local copy of the chunk records (ILocalChunkCopy), expected records being the store's own read:
/// <list type="bullet">
/// <item>an index folder of the format before the records (ragservice-bm25f-v2) is rebuilt from the store once, at its
/// first open after the upgrade; its stats say why, it then holds every record, and the next open loads it;</item>
/// <item>the copy of a collection this process has not opened is read from the last commit in its folder: what a
/// replica that served only dense searches holds when the store goes away.</item>
/// </list>
/// </summary>
public sealed class LuceneChunkCopyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-lucene-copy-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<IDisposable> _owned = [];

    [Fact]
    public async Task A_v2_index_is_rebuilt_once_saying_so_and_then_holds_each_chunk_record()
    {
        var (source, store, kb, ids) = await WrittenAndClosedAsync();
        MarkAsFormat(Path.Combine(_dir, "lucene", $"collection-{kb.Id}"), "ragservice-bm25f-v2");
        var expected = JsonSerializer.Serialize(await store.GetChunksAsync(ids, default));

        var upgraded = Open(source);
        Assert.Single(await upgraded.SearchAsync(kb, ["beta"], 10, SearchFilter.None, default));
        Assert.Equal("rebuilt: incompatible (format 'ragservice-bm25f-v2', wanted 'ragservice-bm25f-v3')", (await upgraded.GetStatsAsync(kb, default)).Load);
        Assert.Equal(expected, JsonSerializer.Serialize(ids.Select(id => upgraded.Held(kb.Id, ids)[id])));
        Close(upgraded);

        var again = Open(source);
        await again.SearchAsync(kb, ["beta"], 10, SearchFilter.None, default);
        Assert.Equal("loaded", (await again.GetStatsAsync(kb, default)).Load);
        Assert.Equal(expected, JsonSerializer.Serialize(ids.Select(id => again.Held(kb.Id, ids)[id])));
    }

    [Fact]
    public async Task A_collection_not_opened_by_this_process_answers_from_its_committed_folder_and_one_never_indexed_holds_nothing()
    {
        var (source, store, kb, ids) = await WrittenAndClosedAsync();

        var restarted = Open(source);
        var held = restarted.Held(kb.Id, [.. ids, ids.Max() + 1]);
        Assert.Equal(JsonSerializer.Serialize(await store.GetChunksAsync(ids, default)), JsonSerializer.Serialize(ids.Select(id => held[id])));
        Assert.Equal(ids.Count, held.Count);
        Assert.Equal("not loaded", (await restarted.GetStatsAsync(kb, default)).Load); // read without opening it
        Assert.Empty(restarted.Held(kb.Id + 1, ids));
    }

    /// <summary>One document of two chunks (title, metadata, headings, a page) written through an index that then stops cleanly.</summary>
    private async Task<(SqliteIndexSource Source, SqliteKnowledgeStore Store, CollectionInfo Kb, IReadOnlyList<long> Ids)> WrittenAndClosedAsync()
    {
        var options = new SqliteStoreOptions { DatabasePath = Path.Combine(_dir, "kb.db") };
        var source = new SqliteIndexSource(options);
        var writer = Open(source);
        var store = new SqliteKnowledgeStore(options, [writer]);
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, new DocumentWrite("d", "A title", "hash", "markdown", new Dictionary<string, string> { ["lang"] = "en" },
            [new IndexedChunk(new Chunk(0, "alpha text", ["Intro"], 3), ["alpha"], ["intro"]), new IndexedChunk(new Chunk(1, "beta text", [], null), ["beta"], [])]), default);
        Close(writer);
        return (source, store, kb, await store.ListChunkIdsAsync(kb, "d", 0, 10, default));
    }

    public void Dispose() => IndexTestFiles.Remove(_dir, _owned);

    private LuceneLexicalSearchIndex Open(SqliteIndexSource source)
    {
        var lucene = new LuceneLexicalSearchIndex(source, new LuceneOptions { Directory = Path.Combine(_dir, "lucene") });
        _owned.Add(lucene);
        return lucene;
    }

    /// <summary>A clean stop: the index commits what it holds.</summary>
    private void Close(LuceneLexicalSearchIndex lucene)
    {
        lucene.Dispose();
        _owned.Remove(lucene);
    }

    /// <summary>Rewrites the last commit's format mark, as an older version of the service left it.</summary>
    private static void MarkAsFormat(string folder, string format)
    {
        using var directory = FSDirectory.Open(new DirectoryInfo(folder));
        var data = new Dictionary<string, string>(DirectoryReader.ListCommits(directory)[^1].UserData) { ["format"] = format };
        using var writer = new IndexWriter(directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer()) { OpenMode = OpenMode.APPEND });
        writer.SetCommitData(data);
        writer.Commit();
    }
}
