using Microsoft.Data.Sqlite;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Storage.Sqlite.Tests;

/// <summary>Collection ids are never reused, also in a database created before they were AUTOINCREMENT (migrated at open).</summary>
public sealed class CollectionIdTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-ids-" + Guid.NewGuid().ToString("N")[..10]);

    private string Db => Path.Combine(_dir, "kb.db");

    [Fact]
    public async Task Old_database_is_migrated_keeping_its_documents_and_a_deleted_id_is_never_given_again()
    {
        Directory.CreateDirectory(_dir);
        using (var legacy = new SqliteConnection($"Data Source={Db}"))
        {
            legacy.Open();
            using var cmd = legacy.CreateCommand();
            // The collections table as the first schema version created it: a plain rowid alias, reused after a delete.
            cmd.CommandText = """
                CREATE TABLE collections (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, settings TEXT NOT NULL, created_at TEXT NOT NULL,
                    version INTEGER NOT NULL DEFAULT 0);
                INSERT INTO collections(id, name, settings, created_at) VALUES (1, 'kept', '{}', '2026-01-01T00:00:00.0000000+00:00');
                CREATE VIRTUAL TABLE fts_1 USING fts5(body, header, tokenize = "ascii tokenchars '-_./+'");
                """;
            cmd.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var analyzer = new MixedScriptAnalyzer();
        {
            var store = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = Db });
            var kept = (await store.GetCollectionAsync("kept", default))!;
            Assert.Equal(1, kept.Id);
            await new IngestionService(store, new AnalyzerCatalog(analyzer)).IngestAsync(kept,
                new IngestRequest("a", null, new ExtractedDocument(null, [new DocumentBlock(BlockKind.Paragraph, "kept text")], "text"), new Dictionary<string, string>()), default);

            var first = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
            Assert.True(await store.DeleteCollectionAsync("kb", default));
            var second = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
            Assert.True(second.Id > first.Id, $"id {first.Id} was given again ({second.Id})");
            Assert.Equal(1, (await store.GetStatsAsync(kept, null, default)).Documents);
        }

        SqliteConnection.ClearAllPools();
        var reopened = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = Db });
        Assert.True(await reopened.DeleteCollectionAsync("kb", default));
        var third = await reopened.CreateCollectionAsync("kb", new CollectionSettings(), default);
        Assert.True(third.Id > 3, $"after a restart the deleted ids must stay retired, got {third.Id}");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
