using System.Diagnostics;
using System.Globalization;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Core.Indexing;
using RagService.Core.Storage;

namespace RagService.Api.Replication;

/// <summary>
/// Read-your-writes across replicas. A write answers with the collection's version after it (header
/// <see cref="VersionHeader"/> and the body's "version"); a search or ask may name a minimum version (body "minVersion"
/// or header <see cref="MinVersionHeader"/>, the larger wins), and this replica first brings its held indexes to at
/// least that version, waiting up to Rag:Consistency:MaxWait; it never answers from an older index: past the wait it
/// answers 503 with Retry-After. Every search and ask answers with the version it reflects at least.
/// </summary>
internal sealed class CollectionVersions(IIndexSource source, IEnumerable<ISearchIndex> indexes, ConsistencyOptions options)
{
    public const string VersionHeader = "Rag-Collection-Version";
    public const string MinVersionHeader = "Rag-Min-Version";
    public const string ServedFromHeader = "Rag-Served-From";

    private static readonly TimeSpan StorePollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>After a committed write: the collection's version now (this write's or a later one), also set as the response header.</summary>
    public async Task<long> StampAsync(HttpContext http, CollectionInfo collection, CancellationToken ct)
    {
        var version = await source.GetVersionAsync(collection.Id, ct);
        http.Response.Headers[VersionHeader] = version.ToString(CultureInfo.InvariantCulture);
        return version;
    }

    /// <summary>
    /// Before a search: waits for the minimum version the caller named (if any) and returns the version the search will
    /// reflect at least (every engine reads the store's version again when it searches), also set as the response header.
    /// </summary>
    public async Task<long> BeforeSearchAsync(HttpContext http, CollectionInfo collection, long? bodyMinVersion, CancellationToken ct)
    {
        var minimum = Math.Max(bodyMinVersion ?? 0, HeaderMinVersion(http));
        if (bodyMinVersion < 0)
        {
            throw ApiProblemException.BadRequest($"'minVersion' must be 0 or more (it was {bodyMinVersion})");
        }

        var waited = Stopwatch.StartNew();
        var version = await source.GetVersionAsync(collection.Id, ct);
        while (version < minimum)
        {
            if (LocalStateScope.Current?.Degraded == true)
            {
                throw NotReached(collection, version, minimum); // the store is unreachable: waiting cannot bring the version
            }

            var left = options.MaxWait - waited.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw NotReached(collection, version, minimum);
            }

            await Task.Delay(left < StorePollInterval ? left : StorePollInterval, ct);
            version = await source.GetVersionAsync(collection.Id, ct);
        }

        if (minimum > 0)
        {
            await CatchUpIndexesAsync(collection, version, minimum, options.MaxWait - waited.Elapsed, ct);
        }

        http.Response.Headers[VersionHeader] = version.ToString(CultureInfo.InvariantCulture);
        return version;
    }

    /// <summary>
    /// After a search or ask: when <paramref name="scope"/> fell back to local state, the response's "degraded" object
    /// and the <see cref="ServedFromHeader"/> header ("local-state; version=V"); null otherwise.
    /// </summary>
    public static DegradedResponse? Degraded(HttpContext http, LocalStateScope scope, long version)
    {
        if (scope.Reason is not { } reason)
        {
            return null;
        }

        http.Response.Headers[ServedFromHeader] = FormattableString.Invariant($"local-state; version={version}");
        return new DegradedResponse("local-state", version, reason);
    }

    private async Task CatchUpIndexesAsync(CollectionInfo collection, long storeVersion, long minimum, TimeSpan left, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            foreach (var index in indexes)
            {
                if (index.HeldVersion(collection.Id) < minimum)
                {
                    await index.CatchUpAsync(collection.Id, storeVersion, bounded.Token);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw NotReached(collection, storeVersion, minimum);
        }
    }

    private VersionNotReachedException NotReached(CollectionInfo collection, long version, long minimum) => new(
        $"collection '{collection.Name}' is at version {version} on this replica; version {minimum} was not reached within " +
        $"{Section}:MaxWait ({options.MaxWait.TotalSeconds:0.###} s): retry after {options.RetryAfterSeconds} s, or search without a minimum version",
        options.RetryAfterSeconds);

    private const string Section = ConsistencyOptions.Section;

    private static long HeaderMinVersion(HttpContext http)
    {
        var raw = http.Request.Headers[MinVersionHeader].ToString();
        if (raw.Length == 0)
        {
            return 0;
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw ApiProblemException.BadRequest($"the {MinVersionHeader} header must be a collection version (a whole number, 0 or more), not '{InputEcho.Of(raw)}'");
    }
}

/// <summary>The minimum version a search asked for was not reached in time: 503 with Retry-After.</summary>
internal sealed class VersionNotReachedException(string detail, int retryAfterSeconds) : Exception(detail)
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
