using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RagService.Api.Security;
using RagService.Core.Security;
using RagService.Storage.Sqlite;

namespace RagService.Api.Tests.Auth;

/// <summary>
/// Rag:Auth:CacheSeconds over a real SQLite key store shared by two "replicas" (two key services, each with its own
/// cache) on one clock the test moves: no sleeping.
/// </summary>
public sealed class KeyCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ragsvc-keycache-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 3, 0, 0, TimeSpan.Zero));
    private readonly CountingKeyStore _store;

    private string Database => Path.Combine(_dir, "keys.db");

    public KeyCacheTests() => _store = new CountingKeyStore(new SqliteApiKeyStore(new SqliteStoreOptions { DatabasePath = Database }));

    [Fact]
    public async Task A_key_revoked_through_another_replica_is_refused_here_once_cache_seconds_have_passed_and_at_once_through_the_revoking_one()
    {
        var a = Replica(cacheSeconds: 5);
        var b = Replica(cacheSeconds: 5);
        var (record, key) = await a.CreateAsync("bot", ApiRole.Reader, null, null, null, default);
        Assert.NotNull((await a.CheckAsync(key, default)).Caller);
        Assert.NotNull((await b.CheckAsync(key, default)).Caller);

        Assert.True(await a.RevokeAsync(record.Id, default));
        Assert.Contains("revoked", (await a.CheckAsync(key, default)).Refusal);
        _clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.NotNull((await b.CheckAsync(key, default)).Caller); // within the bound, B still answers from what it read
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.Contains("revoked", (await b.CheckAsync(key, default)).Refusal);
    }

    [Fact]
    public async Task Within_cache_seconds_a_key_is_read_once_and_with_zero_on_every_request()
    {
        var cached = Replica(cacheSeconds: 5);
        var (_, key) = await cached.CreateAsync("bot", ApiRole.Reader, null, null, null, default);
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull((await cached.CheckAsync(key, default)).Caller);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(1, _store.Reads);
        var uncached = Replica(cacheSeconds: 0);
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull((await uncached.CheckAsync(key, default)).Caller);
        }

        Assert.Equal(4, _store.Reads);
    }

    [Fact]
    public async Task A_kept_key_still_refuses_a_wrong_secret_under_its_id()
    {
        var service = Replica(cacheSeconds: 60);
        var (_, key) = await service.CreateAsync("bot", ApiRole.Reader, null, null, null, default);
        Assert.NotNull((await service.CheckAsync(key, default)).Caller);
        var forged = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        Assert.Equal("the API key is not valid", (await service.CheckAsync(forged, default)).Refusal);
    }

    [Fact]
    public async Task Last_used_is_written_once_per_resolution_while_the_record_is_kept()
    {
        var service = Replica(cacheSeconds: 300); // longer than LastUsedResolution (1 minute)
        var (_, key) = await service.CreateAsync("bot", ApiRole.Reader, null, null, null, default);
        foreach (var seconds in new[] { 0, 30, 31, 30 }) // at 0, 30, 61, 91 s: writes at 0 and 61
        {
            _clock.Advance(TimeSpan.FromSeconds(seconds));
            Assert.NotNull((await service.CheckAsync(key, default)).Caller);
        }

        Assert.Equal(2, _store.Touches);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(301)]
    public void Cache_seconds_out_of_range_are_refused_at_start_naming_the_setting(int seconds)
    {
        var e = Assert.Throws<InvalidOperationException>(() => new AuthOptions { CacheSeconds = seconds }.Validate());
        Assert.Contains("Rag:Auth:CacheSeconds", e.Message);
    }

    private ApiKeyService Replica(int cacheSeconds) => new(_store, Options.Create(new AuthOptions { CacheSeconds = cacheSeconds }), _clock);

    public void Dispose()
    {
        SqliteStorePool.Release(Database);
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>The real store, counting the reads and "last used" writes the key services make.</summary>
    private sealed class CountingKeyStore(IApiKeyStore inner) : IApiKeyStore
    {
        private int _reads;
        private int _touches;

        public int Reads => _reads;

        public int Touches => _touches;

        public Task CreateAsync(ApiKeyRecord key, int maxActivePerClient, CancellationToken ct) => inner.CreateAsync(key, maxActivePerClient, ct);

        public Task<ApiKeyRecord?> GetAsync(string id, CancellationToken ct)
        {
            Interlocked.Increment(ref _reads);
            return inner.GetAsync(id, ct);
        }

        public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct) => inner.ListAsync(ct);

        public Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken ct) => inner.RevokeAsync(id, at, ct);

        public Task TouchAsync(string id, DateTimeOffset at, CancellationToken ct)
        {
            Interlocked.Increment(ref _touches);
            return inner.TouchAsync(id, at, ct);
        }

        public Task<int> CountActiveAsync(CancellationToken ct) => inner.CountActiveAsync(ct);
    }
}
