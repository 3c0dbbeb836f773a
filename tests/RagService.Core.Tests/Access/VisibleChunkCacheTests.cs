using RagService.Core.Access;
using RagService.Core.Storage;
using RagService.Core.Tests.Fakes;

namespace RagService.Core.Tests.Access;

/// <summary>The visible-chunk cache over a fake index source whose answer and version the test sets; it counts the store's resolutions.</summary>
public sealed class VisibleChunkCacheTests
{
    private static readonly CollectionInfo Open = new(5, "manuals", new CollectionSettings(), DateTimeOffset.UnixEpoch);
    private static readonly CollectionInfo Closed = Open with { Settings = new CollectionSettings { UnlistedAccess = UnlistedAccess.Closed } };
    private readonly FakeIndexSource _source = new(new FakeKnowledgeStore());

    private static SearchFilter Scope(params string[] principals) => new() { Access = new AccessScope(principals) };

    [Fact]
    public async Task A_scope_is_resolved_once_per_collection_version_and_again_once_the_version_moved()
    {
        var cache = new VisibleChunkCache(_source);
        _source.Matching = new HashSet<long> { 1, 3 };
        Assert.Equal([1L, 3L], (await cache.ChunksMatchingAsync(Open, Scope("group:hr"), default))!.Order());
        Assert.Equal([1L, 3L], (await cache.ChunksMatchingAsync(Open, Scope("group:hr"), default))!.Order());
        Assert.Equal(1, _source.Resolutions);

        // An access change is a new version: the set resolved before it is not used again.
        _source.Matching = new HashSet<long> { 3 };
        _source.Version = 2;
        Assert.Equal([3L], (await cache.ChunksMatchingAsync(Open, Scope("group:hr"), default))!.Order());
        Assert.Equal(2, _source.Resolutions);
        Assert.Equal(1, cache.Count); // the older version's set went as soon as the newer one was held
    }

    [Fact]
    public async Task Another_scope_setting_or_collection_is_not_served_from_an_entry_and_filters_besides_the_scope_go_to_the_store()
    {
        var cache = new VisibleChunkCache(_source);
        _source.Matching = new HashSet<long> { 1 };
        await cache.ChunksMatchingAsync(Open, Scope("group:hr"), default);
        await cache.ChunksMatchingAsync(Open, Scope("group:hr", "user:a"), default);
        await cache.ChunksMatchingAsync(Closed, Scope("group:hr"), default);
        await cache.ChunksMatchingAsync(Open with { Id = 6 }, Scope("group:hr"), default);
        Assert.Equal(4, _source.Resolutions);
        await cache.ChunksMatchingAsync(Open, Scope("user:a", "group:hr", "user:a"), default); // the same scope, written otherwise
        Assert.Equal(4, _source.Resolutions);

        var withMetadata = Scope("group:hr") with { Metadata = new Dictionary<string, string> { ["lang"] = "zh" } };
        await cache.ChunksMatchingAsync(Open, withMetadata, default);
        await cache.ChunksMatchingAsync(Open, withMetadata, default);
        Assert.Equal(6, _source.Resolutions);

        Assert.Null(await cache.ChunksMatchingAsync(Open, SearchFilter.None, default));
        Assert.Equal(6, _source.Resolutions);
    }

    [Fact]
    public async Task The_least_recently_used_set_goes_first_when_MaxEntries_is_reached()
    {
        var cache = new VisibleChunkCache(_source, new VisibleChunkCacheOptions { MaxEntries = 2 });
        _source.Matching = new HashSet<long> { 1 };
        await cache.ChunksMatchingAsync(Open, Scope("user:a"), default);
        await cache.ChunksMatchingAsync(Open, Scope("user:b"), default);
        await cache.ChunksMatchingAsync(Open, Scope("user:a"), default); // a is now the most recent
        await cache.ChunksMatchingAsync(Open, Scope("user:c"), default); // b goes
        Assert.Equal(3, _source.Resolutions);

        await cache.ChunksMatchingAsync(Open, Scope("user:a"), default);
        Assert.Equal(3, _source.Resolutions);
        await cache.ChunksMatchingAsync(Open, Scope("user:b"), default);
        Assert.Equal(4, _source.Resolutions);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task MaxEntries_0_turns_the_cache_off()
    {
        var cache = new VisibleChunkCache(_source, new VisibleChunkCacheOptions { MaxEntries = 0 });
        _source.Matching = new HashSet<long> { 1 };
        await cache.ChunksMatchingAsync(Open, Scope("user:a"), default);
        await cache.ChunksMatchingAsync(Open, Scope("user:a"), default);
        Assert.Equal(2, _source.Resolutions);
    }

    [Theory]
    [InlineData(-1, 64, "MaxEntries=-1")]
    [InlineData(256, 0, "MaxMegabytes=0")]
    public void Bounds_out_of_range_are_refused_at_start_naming_the_setting(int entries, int megabytes, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => new VisibleChunkCache(_source, new VisibleChunkCacheOptions { MaxEntries = entries, MaxMegabytes = megabytes }));
        Assert.Contains("Rag:AccessCache", error.Message);
        Assert.Contains(named, error.Message);
    }
}
