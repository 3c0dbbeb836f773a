using Npgsql;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Storage.Postgres;
using RagService.Tests.Shared;

namespace RagService.Storage.Conformance.Tests;

/// <summary>
/// Two replicas on one database: the reader's collection version comes from its cache while its listener is up, follows
/// the writer's commits through PostgreSQL notifications, and is read from the database again once the listener is lost.
/// A version changed behind the service's back (plain SQL, no notification) shows which path answered.
/// </summary>
public sealed class PostgresVersionCacheTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly PostgresTestDatabase _database = new();
    private readonly List<PostgresDatabase> _replicas = [];

    [SkippableFact]
    public async Task A_cached_version_follows_another_replicas_write_through_its_notification()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        var (writer, kb, reader, source) = await StartAsync();
        var cached = await source.GetVersionAsync(kb.Id, default);

        await SetVersionSilentlyAsync(kb.Id, 41);
        Assert.Equal(cached, await source.GetVersionAsync(kb.Id, default));

        await writer.UpsertDocumentAsync(kb, Doc("b"), default);
        await WaitUntilAsync(async () => await source.GetVersionAsync(kb.Id, default) != cached);
        Assert.Equal(42, await source.GetVersionAsync(kb.Id, default));
        Assert.True(reader.Versions.IsListening);
    }

    [SkippableFact]
    public async Task A_collection_another_replica_deletes_is_forgotten_when_its_notification_arrives()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        var (writer, kb, reader, _) = await StartAsync();
        var readerStore = new PostgresKnowledgeStore(reader);
        Assert.Equal(kb.Id, (await readerStore.GetCollectionAsync("kb", default))!.Id);

        await using (var connection = new NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var rename = new NpgsqlCommand("UPDATE collections SET name = 'renamed' WHERE name = 'kb'", connection);
            await rename.ExecuteNonQueryAsync();
        }

        Assert.Equal(kb.Id, (await readerStore.GetCollectionAsync("kb", default))!.Id);
        Assert.True(await writer.DeleteCollectionAsync("renamed", default));
        await WaitUntilAsync(async () => await readerStore.GetCollectionAsync("kb", default) is null);
    }

    [SkippableFact]
    public async Task Versions_remembered_before_the_listener_was_lost_are_forgotten()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        var (_, kb, reader, source) = await StartAsync();
        var generation = reader.Versions.Generation;

        await using (var connection = new NpgsqlConnection(_database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'", connection);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        // Lost and listening again: what it remembered before the loss must not be trusted any more.
        await WaitUntilAsync(() => Task.FromResult(reader.Versions.Generation > generation && reader.Versions.IsListening));
        await SetVersionSilentlyAsync(kb.Id, 77);
        Assert.Equal(77, await source.GetVersionAsync(kb.Id, default));
    }

    public void Dispose()
    {
        _replicas.ForEach(r => r.Dispose());
        _database.Dispose();
    }

    /// <summary>A writer replica with collection kb and one document; a reader replica whose listener is up with kb's version remembered.</summary>
    private async Task<(PostgresKnowledgeStore Writer, CollectionInfo Kb, PostgresDatabase Reader, PostgresIndexSource Source)> StartAsync()
    {
        var writer = new PostgresKnowledgeStore(Replica());
        var kb = await writer.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await writer.UpsertDocumentAsync(kb, Doc("a"), default);
        var reader = Replica();
        var source = new PostgresIndexSource(reader);
        await source.GetVersionAsync(kb.Id, default);
        await WaitUntilAsync(() => Task.FromResult(reader.Versions.IsListening));
        await source.GetVersionAsync(kb.Id, default);
        return (writer, kb, reader, source);
    }

    private PostgresDatabase Replica()
    {
        var replica = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = _database.ConnectionString, MaxPoolSize = 4 });
        _replicas.Add(replica);
        return replica;
    }

    private async Task SetVersionSilentlyAsync(long collectionId, long version)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var update = new NpgsqlCommand("UPDATE collections SET version = $1 WHERE id = $2", connection) { Parameters = { new() { Value = version }, new() { Value = collectionId } } };
        await update.ExecuteNonQueryAsync();
    }

    /// <summary>Waits for a state another connection brings about (a notification, a lost listener); fails only if it never comes.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the state never came");
            await Task.Delay(20);
        }
    }

    private static DocumentWrite Doc(string id) =>
        new(id, null, "hash-" + id, "text", new Dictionary<string, string>(), [new IndexedChunk(new Chunk(0, "text of " + id, [], null), ["text", id], [], null)]);
}
