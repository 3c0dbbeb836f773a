using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Core.ChangeLog;

/// <summary>
/// Keeps this process's derived indexes following the store: each pass reads every collection's version, catches every
/// held index up from the change log (<see cref="ISearchIndex.CatchUpAsync"/>), and drops the indexes of collections
/// that are gone (deleted through another replica). It reports the lag it found as the "replication" component.
/// </summary>
public sealed class IndexFollower(IChangeFeed feed, IEnumerable<ISearchIndex> indexes, ILogger logger) : IComponentHealth
{
    public IndexFollower(IChangeFeed feed, IEnumerable<ISearchIndex> indexes)
        : this(feed, indexes, NullLogger.Instance)
    {
    }

    private readonly IReadOnlyList<ISearchIndex> _indexes = indexes.ToList();
    private IReadOnlyDictionary<long, long> _known = new Dictionary<long, long>();
    private volatile FollowReport? _last;
    private volatile string? _fault;

    /// <summary>What the last completed pass found, or null before the first.</summary>
    public FollowReport? Last => _last;

    /// <summary>One pass; store faults are recorded for readiness and rethrown to the caller.</summary>
    public async Task<FollowReport> FollowOnceAsync(CancellationToken ct)
    {
        IReadOnlyDictionary<long, long> versions;
        try
        {
            versions = await feed.GetVersionsAsync(ct);
        }
        catch (StorageUnavailableException e)
        {
            _fault = e.Message;
            throw;
        }

        foreach (var gone in _known.Keys.Where(id => !versions.ContainsKey(id)))
        {
            foreach (var index in _indexes)
            {
                index.Drop(gone);
            }

            logger.CollectionGone(gone);
        }

        _known = versions;
        var lag = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var index in _indexes)
        {
            long worst = 0;
            foreach (var (collection, version) in versions)
            {
                if (index.HeldVersion(collection) is not { } held || held >= version)
                {
                    continue;
                }

                try
                {
                    await index.CatchUpAsync(collection, version, ct);
                }
                catch (StorageUnavailableException e)
                {
                    _fault = e.Message;
                    throw;
                }

                worst = Math.Max(worst, version - (index.HeldVersion(collection) ?? version));
            }

            lag[index.Engine] = worst;
        }

        _fault = null;
        var report = new FollowReport(DateTimeOffset.UtcNow, versions.Count, lag);
        _last = report;
        return report;
    }

    public Task<ComponentStatus> CheckAsync(CancellationToken ct)
    {
        if (_fault is { } fault)
        {
            return Task.FromResult(ComponentStatus.Failed("replication", $"cannot follow the store's change log ({fault}); searches answer from the indexes as they are"));
        }

        var last = _last;
        var detail = last is null
            ? $"following the store's change log ({feed.Signal}); no pass yet"
            : $"following the store's change log ({feed.Signal}): {last.Collections} collections, lag after the last pass {string.Join(", ", last.Lag.Select(l => $"{l.Key} {l.Value}"))} versions, at {last.At:O}";
        return Task.FromResult(ComponentStatus.On("replication", detail));
    }
}

/// <param name="Lag">Per engine, the most versions any held collection index was behind the store after the pass.</param>
public sealed record FollowReport(DateTimeOffset At, int Collections, IReadOnlyDictionary<string, long> Lag);
