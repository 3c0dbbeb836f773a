using System.Text;
using Npgsql;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Storage.Postgres;
using RagService.Tests.Shared;

namespace RagService.Storage.Conformance.Tests;

/// <summary>
/// Range filters on PostgreSQL read document_values (migration 7): a btree range scan, and the documents stored before
/// the migration are found once it ran. Three one-chunk documents, worked by hand:
///   old: year "2019";   new: year "2024", day "2024-03-01";   odd: year "n/a" (no number).
/// Typed rows: old (year, number 2019), new (year, number 2024), new (day, date 1709251200000); "n/a" reads as nothing.
/// </summary>
public sealed class PostgresMetadataValuesTests : IDisposable
{
    private readonly PostgresTestDatabase _database = new();
    private readonly List<PostgresDatabase> _opened = [];

    [SkippableFact]
    public async Task Documents_stored_before_the_migration_are_found_by_range_after_it()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        var (kb, chunkOf) = await WriteCorpusAsync();
        // Back to the schema before migration 7, with the documents in place.
        await ExecuteAsync("DROP TABLE document_values; DELETE FROM schema_migrations WHERE version = 7");

        var source = new PostgresIndexSource(Open());

        Assert.Equal(3L, await ScalarAsync("SELECT count(*) FROM document_values"));
        var from2020 = new SearchFilter { MetadataRanges = [new MetadataRange("year", MetadataType.Number) { Gte = 2020 }] };
        Assert.Equal([chunkOf["new"]], (await source.ChunksMatchingAsync(kb, from2020, default))!.Order());
        var before2020 = new SearchFilter { MetadataRanges = [new MetadataRange("year", MetadataType.Number) { Lt = 2020 }] };
        Assert.Equal([chunkOf["old"]], (await source.ChunksMatchingAsync(kb, before2020, default))!.Order());
        var march = new SearchFilter { MetadataRanges = [new MetadataRange("day", MetadataType.Date) { Gte = 1709251200000, Lte = 1709251200000 }] };
        Assert.Equal([chunkOf["new"]], (await source.ChunksMatchingAsync(kb, march, default))!.Order());
    }

    [SkippableFact]
    public async Task A_deleted_document_leaves_no_typed_values()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        var (kb, _) = await WriteCorpusAsync();
        await new PostgresKnowledgeStore(Open(), []).DeleteDocumentAsync(kb, "new", default);

        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM document_values"));
    }

    [SkippableFact]
    public async Task A_range_filter_is_answered_by_the_range_index()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        var (kb, _) = await WriteCorpusAsync();
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand { Connection = connection };
        cmd.Parameters.Add(new NpgsqlParameter { Value = kb.Id });
        var sql = new StringBuilder("EXPLAIN SELECT ch.id FROM chunks ch JOIN documents d ON d.id = ch.document_id WHERE d.collection_id = $1");
        PostgresFilter.Append(sql, cmd, new SearchFilter { MetadataRanges = [new MetadataRange("year", MetadataType.Number) { Gt = 4990, Lte = 5000 }] }, kb);
        // 5,000 more one-chunk documents (years 1..5000, written in bulk) with fresh statistics: the range picks 10.
        await using (var bulk = new NpgsqlCommand($"""
            INSERT INTO documents(collection_id, doc_key, content_hash, format, metadata, chunk_count, created_at, updated_at)
            SELECT {kb.Id}, 'bulk-' || i, 'h', 'text', jsonb_build_object('year', i::text), 0, now(), now() FROM generate_series(1, 5000) i;
            INSERT INTO document_values(document_id, collection_id, key, type, value)
            SELECT id, collection_id, 'year', 'number', (metadata ->> 'year')::float8 FROM documents WHERE doc_key LIKE 'bulk-%';
            INSERT INTO chunks(document_id, ordinal, text, heading_path, body_terms, header_terms)
            SELECT id, 0, 't', '', ARRAY[]::text[], ARRAY[]::text[] FROM documents WHERE doc_key LIKE 'bulk-%';
            ANALYZE;
            """, connection))
        {
            await bulk.ExecuteNonQueryAsync();
        }

        cmd.CommandText = sql.ToString();
        var plan = new StringBuilder();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.AppendLine(reader.GetString(0));
            }
        }

        Assert.True(plan.ToString().Contains("document_values_by_range", StringComparison.Ordinal), plan.ToString());
    }

    private async Task<(CollectionInfo Kb, Dictionary<string, long> ChunkOf)> WriteCorpusAsync()
    {
        var store = new PostgresKnowledgeStore(Open(), []);
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        var documents = new Dictionary<string, Dictionary<string, string>>
        {
            ["old"] = new() { ["year"] = "2019" },
            ["new"] = new() { ["year"] = "2024", ["day"] = "2024-03-01" },
            ["odd"] = new() { ["year"] = "n/a" },
        };
        var chunkOf = new Dictionary<string, long>();
        foreach (var (id, metadata) in documents)
        {
            await store.UpsertDocumentAsync(kb, new DocumentWrite(id, null, id, "text", metadata, [new IndexedChunk(new Chunk(0, id, [], null), [id], [])]), default);
            chunkOf[id] = Assert.Single(await store.ListChunkIdsAsync(kb, id, 0, 10, default));
        }

        return (kb, chunkOf);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private PostgresDatabase Open()
    {
        var database = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _database.ConnectionString, MaxPoolSize = 4 });
        _opened.Add(database);
        return database;
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        _opened.ForEach(d => d.Dispose());
        _database.Dispose();
    }
}
