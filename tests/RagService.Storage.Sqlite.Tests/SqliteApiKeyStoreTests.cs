using RagService.Core.Security;

namespace RagService.Storage.Sqlite.Tests;

public sealed class SqliteApiKeyStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-keys-" + Guid.NewGuid().ToString("N")[..10]);

    private SqliteApiKeyStore Store() => new(new SqliteStoreOptions { DatabasePath = Path.Combine(_dir, "kb.db") });

    private static ApiKeyRecord Key(string id, string client, IReadOnlyList<string>? collections = null) =>
        new(id, client, ApiRole.Writer, collections, [1, 2, 3], DateTimeOffset.UtcNow, null, null);

    [Fact]
    public async Task Concurrent_creations_for_one_client_never_exceed_the_active_limit()
    {
        var first = Store();
        // Separate store instances stand for separate connections (or processes) racing for the last slot.
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await Store().CreateAsync(Key($"k{i}", "bot"), maxActivePerClient: 2, default);
                return true;
            }
            catch (TooManyActiveKeysException)
            {
                return false;
            }
        }));
        Assert.Equal(2, (await Task.WhenAll(attempts)).Count(created => created));
        Assert.Equal(2, await first.CountActiveAsync(default));
    }

    [Fact]
    public async Task A_revoked_key_frees_its_slot_and_keeps_its_record()
    {
        var store = Store();
        await store.CreateAsync(Key("a", "bot", ["kb", "faq"]), 1, default);
        await Assert.ThrowsAsync<TooManyActiveKeysException>(() => store.CreateAsync(Key("b", "bot"), 1, default));
        Assert.True(await store.RevokeAsync("a", DateTimeOffset.UtcNow, default));
        Assert.False(await store.RevokeAsync("a", DateTimeOffset.UtcNow, default));
        await store.CreateAsync(Key("b", "bot"), 1, default);

        var revoked = await store.GetAsync("a", default);
        Assert.NotNull(revoked);
        Assert.False(revoked.IsActive);
        Assert.Equal(["kb", "faq"], revoked.Collections);
        Assert.Equal([1, 2, 3], revoked.SecretHash);
        Assert.Equal(["a", "b"], (await store.ListAsync(default)).Select(k => k.Id).Order());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
