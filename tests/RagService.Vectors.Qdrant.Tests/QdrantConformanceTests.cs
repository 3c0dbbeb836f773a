using Qdrant.Client.Grpc;
using RagService.Core.Chunking;
using RagService.Core.Indexing;
using RagService.Core.Storage;
using RagService.Storage.Sqlite;

namespace RagService.Vectors.Qdrant.Tests;

/// <summary>
/// The conformance suite over a real Qdrant server: the one RAG_QDRANT_URL names (CI's service container), or one
/// started with Testcontainers when a Docker engine is reachable. Otherwise every case is reported as skipped with the reason.
/// Each test works under its own collection prefix and deletes what it made.
/// </summary>
public sealed class QdrantConformanceTests : VectorIndexConformance
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..8] + "_";

    protected override string? SkipReason => QdrantServer.Instance.SkipReason;

    protected override IVectorSearchIndex OpenIndex(IIndexSource source) =>
        new QdrantVectorSearchIndex(new QdrantOptions { Url = QdrantServer.Instance.Url, CollectionPrefix = _prefix, Exact = true, SearchPageSize = 250 });

    /// <summary>
    /// A collection made before the folder and typed-value indexes existed (here: those four dropped from a current one)
    /// gets them from the next process that uses it, and a process after that creates nothing more.
    /// </summary>
    [SkippableFact]
    public async Task A_collection_missing_the_folder_and_range_indexes_gets_them_at_a_process_first_use()
    {
        Skip.If(SkipReason is not null, SkipReason);
        string[] newer = ["doc_folders", "metadata_values[].key", "metadata_values[].number", "metadata_values[].date"];
        var options = new SqliteStoreOptions { DatabasePath = Path.Combine(Folder, "older.db") };
        var source = new SqliteIndexSource(options);
        var store = new SqliteKnowledgeStore(options, [OpenIndex(source)]);
        var kb = await store.CreateCollectionAsync("older", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, new DocumentWrite("a/b.md", null, "h", "text", new Dictionary<string, string> { ["year"] = "2024" },
            [new IndexedChunk(new Chunk(0, "x", [], null), ["x"], [], [1, 0, 0, 0])]), default);
        using var client = Client();
        var name = ListOurs().Single();
        foreach (var field in newer)
        {
            client.Points.DeleteFieldIndex(new DeleteFieldIndexCollection { CollectionName = name, FieldName = field, Wait = true });
        }

        Assert.DoesNotContain(newer, f => Schema(client, name).ContainsKey(f));

        var next = OpenIndex(source);
        var hits = await next.SearchAsync(kb, [1, 0, 0, 0], 1, new SearchFilter { DocumentIdPrefix = "a/" }, default);

        Assert.Single(hits);
        var schema = Schema(client, name);
        Assert.Equal([PayloadSchemaType.Keyword, PayloadSchemaType.Keyword, PayloadSchemaType.Float, PayloadSchemaType.Float], newer.Select(f => schema[f].DataType));
        await OpenIndex(source).SearchAsync(kb, [1, 0, 0, 0], 1, SearchFilter.None, default);
        Assert.Equal(schema.Keys.Order(), Schema(client, name).Keys.Order());
    }

    private static IDictionary<string, PayloadSchemaInfo> Schema(QdrantGrpcClient client, string name) =>
        client.Collections.Get(new GetCollectionInfoRequest { CollectionName = name }).Result.PayloadSchema;

    protected override void AssertNoVectorsLeft(long collectionId) =>
        Assert.DoesNotContain(ListOurs(), name => name.Contains($"--c{collectionId}g", StringComparison.Ordinal));

    protected override void Cleanup()
    {
        if (QdrantServer.Instance.Url is null)
        {
            return;
        }

        using var client = Client();
        foreach (var name in ListOurs())
        {
            client.Collections.Delete(new DeleteCollection { CollectionName = name });
        }
    }

    private List<string> ListOurs()
    {
        using var client = Client();
        return client.Collections.List(new ListCollectionsRequest()).Collections.Select(c => c.Name).Where(n => n.StartsWith(_prefix, StringComparison.Ordinal)).ToList();
    }

    private static QdrantGrpcClient Client() => new(new Uri(QdrantServer.Instance.Url!));
}
