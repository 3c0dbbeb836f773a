using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace RagService.Api.Tests.Sync;

/// <summary>A sync's file hash and ingest signature are its own fields, not the user's metadata; older databases are migrated.</summary>
public sealed class SyncBookkeepingTests
{
    [Fact]
    public async Task Synced_document_keeps_the_file_hash_beside_its_metadata()
    {
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync("kb");
        const string Text = "# Menu\n\nMargherita pizza costs 42 yuan.";
        var response = await host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(new Dictionary<string, string> { ["menu.md"] = Text })));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());

        var doc = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents/menu.md");
        Assert.Equal(["source_path"], doc.GetProperty("metadata").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(TestArchives.Sha256(Text), doc.GetProperty("sourceSha256").GetString());
    }

    [Fact]
    public async Task A_version_1_database_moves_the_bookkeeping_out_of_metadata()
    {
        var dir = Directory.CreateTempSubdirectory("rag-migrate-");
        var db = Path.Combine(dir.FullName, "old.db");
        using (var connection = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE schema_info (version INTEGER NOT NULL);
                INSERT INTO schema_info VALUES (1);
                CREATE TABLE collections (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, settings TEXT NOT NULL, created_at TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE documents (id INTEGER PRIMARY KEY, collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
                    doc_key TEXT NOT NULL, title TEXT, content_hash TEXT NOT NULL, format TEXT NOT NULL, metadata TEXT NOT NULL,
                    chunk_count INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (collection_id, doc_key));
                INSERT INTO collections VALUES (1, 'kb', '{}', '2026-01-01T00:00:00+00:00', 1);
                INSERT INTO documents VALUES (1, 1, 'menu.md', 'Menu', 'h1', 'markdown',
                    '{"source_path":"menu.md","source_sha256":"abc123","ingest_signature":"sig","lang":"en"}', 0, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00');
                INSERT INTO documents VALUES (2, 1, 'posted', 'Posted', 'h2', 'text', '{"lang":"zh"}', 0, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00');
                """;
            cmd.ExecuteNonQuery();
        }

        await using var host = await ServiceHost.StartAsync($"--Rag:DatabasePath={db}");
        var synced = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents/menu.md");
        Assert.Equal(["lang", "source_path"], synced.GetProperty("metadata").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("abc123", synced.GetProperty("sourceSha256").GetString());
        var posted = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents/posted");
        Assert.Equal(["lang"], posted.GetProperty("metadata").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(JsonValueKind.Null, posted.GetProperty("sourceSha256").ValueKind);
    }
}
