using Microsoft.Data.Sqlite;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Storage.Sqlite.Tests;

/// <summary>
/// Chunk ids are never given again: a re-saved document that held the highest ids gets new ones, also in a database
/// created before chunk ids were AUTOINCREMENT (migrated in place at open, its chunks, terms and vectors kept).
/// </summary>
public sealed class ChunkIdTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-chunkids-" + Guid.NewGuid().ToString("N")[..10]);
    private readonly AnalyzerCatalog _analyzers = new(new MixedScriptAnalyzer());

    private string Db => Path.Combine(_dir, "kb.db");

    public ChunkIdTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task Resaving_the_document_that_holds_the_highest_ids_gives_its_chunks_new_ids()
    {
        var (store, kb) = await SeedAsync();
        var before = await store.ListChunkIdsAsync(kb, "a", 0, 10, default);

        await IngestAsync(store, kb, "a", "apple crumble with new text");

        var after = await store.ListChunkIdsAsync(kb, "a", 0, 10, default);
        var highestBefore = Math.Max(before.Max(), (await store.ListChunkIdsAsync(kb, "b", 0, 10, default)).Max());
        Assert.All(after, id => Assert.True(id > highestBefore, $"chunk id {id} was given again (highest before the re-save: {highestBefore})"));
    }

    [Fact]
    public async Task A_database_from_before_autoincrement_chunk_ids_is_migrated_keeping_its_chunks()
    {
        var (store, kb) = await SeedAsync();
        var aIds = await store.ListChunkIdsAsync(kb, "a", 0, 10, default);
        MakeLegacy();

        var reopened = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = Db });
        var kept = await reopened.GetChunksAsync(aIds, default);
        Assert.Equal(["apple pie"], kept.Select(c => c.Text));
        Assert.Equal(2, Scalar("SELECT count(*) FROM chunk_terms"));
        Assert.Equal(8, Scalar("SELECT max(version) FROM schema_info"));

        await IngestAsync(reopened, kb, "a", "apple crumble with new text");
        var after = await reopened.ListChunkIdsAsync(kb, "a", 0, 10, default);
        Assert.All(after, id => Assert.True(id > aIds.Max(), $"chunk id {id} was given again after the migration"));
        Assert.Equal(2, Scalar("SELECT count(*) FROM chunk_terms"));
    }

    /// <summary>Documents b, then a: a holds the highest chunk ids.</summary>
    private async Task<(SqliteKnowledgeStore Store, CollectionInfo Kb)> SeedAsync()
    {
        var store = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = Db });
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await IngestAsync(store, kb, "b", "banana bread");
        await IngestAsync(store, kb, "a", "apple pie");
        return (store, kb);
    }

    /// <summary>Turns the file into what schema version 2 wrote: a chunks table whose id is a plain rowid alias.</summary>
    private void MakeLegacy()
    {
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection($"Data Source={Db}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = """
            PRAGMA foreign_keys = OFF;
            CREATE TABLE chunks_v2 (id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL, text TEXT NOT NULL, heading_path TEXT NOT NULL, page INTEGER);
            INSERT INTO chunks_v2 SELECT * FROM chunks;
            DROP TABLE chunks;
            ALTER TABLE chunks_v2 RENAME TO chunks;
            DELETE FROM sqlite_sequence WHERE name = 'chunks';
            UPDATE schema_info SET version = 2;
            """;
        cmd.ExecuteNonQuery();
        cmd.CommandText = "SELECT sql FROM sqlite_master WHERE name = 'chunks'";
        Assert.DoesNotContain("AUTOINCREMENT", (string)cmd.ExecuteScalar()!, StringComparison.OrdinalIgnoreCase);
        connection.Close();
        SqliteConnection.ClearAllPools();
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Db}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar());
    }

    private Task IngestAsync(IKnowledgeStore store, CollectionInfo kb, string id, string text) =>
        new IngestionService(store, _analyzers).IngestAsync(kb,
            new IngestRequest(id, null, new ExtractedDocument(null, [new DocumentBlock(BlockKind.Paragraph, text)], "text"), new Dictionary<string, string>()), default);

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
