using Lucene.Net.Index;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Storage.Sqlite;
using FSDirectory = Lucene.Net.Store.FSDirectory;

namespace RagService.Lexical.Lucene.Tests;

/// <summary>
/// Writes inside a write group (a sync job's, <see cref="IKnowledgeStore.BeginWriteGroup"/>): each one is found by any
/// search that starts after it returns, yet the index does not reopen its searcher, which flushes a Lucene segment, per
/// write: the writes no search read in between share one segment, flushed by the group's commit.
/// </summary>
public sealed class LuceneWriteGroupTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-lucene-group-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly List<IDisposable> _owned = [];

    [Fact]
    public async Task Writes_in_a_group_are_found_by_the_next_search_and_share_a_segment_until_one_reads_them()
    {
        var options = new SqliteStoreOptions { DatabasePath = Path.Combine(_dir, "kb.db") };
        var lucene = new LuceneLexicalSearchIndex(new SqliteIndexSource(options), new LuceneOptions { Directory = Path.Combine(_dir, "lucene") });
        _owned.Add(lucene);
        var store = new SqliteKnowledgeStore(options, [lucene]);
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);

        using (store.BeginWriteGroup(kb))
        {
            for (var i = 0; i < 3; i++)
            {
                await WriteAsync(store, kb, i);
            }

            Assert.Equal(["doc-2"], await FoundAsync(lucene, store, kb, "word2"));
            for (var i = 3; i < 6; i++)
            {
                await WriteAsync(store, kb, i);
            }

            Assert.Equal(["doc-5"], await FoundAsync(lucene, store, kb, "word5"));
            await WriteAsync(store, kb, 6);
            var ids = await store.ListChunkIdsAsync(kb, "doc-6", 0, 10, default);
            Assert.Equal(ids, lucene.Held(kb.Id, ids).Keys); // the chunk records are read from the index, as current as a search
        }

        for (var i = 0; i < 7; i++)
        {
            Assert.Equal([$"doc-{i}"], await FoundAsync(lucene, store, kb, $"word{i}"));
        }

        using var directory = FSDirectory.Open(Path.Combine(_dir, "lucene", $"collection-{kb.Id}"));
        using var committed = DirectoryReader.Open(directory);
        Assert.Equal(7, committed.NumDocs);
        // Writes 0-2 flushed by the first search, 3-5 by the second, 6 by the record read; a reopen per write made seven.
        Assert.Equal(3, committed.Leaves.Count);
    }

    private static Task WriteAsync(SqliteKnowledgeStore store, CollectionInfo kb, int i) =>
        store.UpsertDocumentAsync(kb, new DocumentWrite($"doc-{i}", $"Doc {i}", $"hash-{i}", "markdown", new Dictionary<string, string>(),
            [new IndexedChunk(new Chunk(0, $"text {i}", [], null), [$"word{i}", "shared"], [])]), default);

    private static async Task<IReadOnlyList<string>> FoundAsync(LuceneLexicalSearchIndex lucene, SqliteKnowledgeStore store, CollectionInfo kb, string term) =>
        await IndexTestFiles.DocumentIdsAsync(store, await lucene.SearchAsync(kb, [term], 10, SearchFilter.None, default));

    public void Dispose() => IndexTestFiles.Remove(_dir, _owned);
}
