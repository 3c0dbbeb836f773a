using System.Collections.Concurrent;

namespace RagService.Core.ChangeLog;

/// <summary>
/// How each collection's index of one engine followed the store: versions applied from the change log, and rebuilds
/// with the reason of the last one. Stats report it, so "caught up from the log" and "rebuilt" can be told apart.
/// </summary>
public sealed class IndexFollowLedger
{
    private readonly ConcurrentDictionary<long, IndexFollow> _byCollection = new();

    public IndexFollow Get(long collectionId) => _byCollection.GetValueOrDefault(collectionId, IndexFollow.None);

    public void CaughtUp(long collectionId, long versions) =>
        _byCollection.AddOrUpdate(collectionId, _ => IndexFollow.None with { VersionsFromLog = versions },
            (_, f) => f with { VersionsFromLog = f.VersionsFromLog + versions });

    public void Rebuilt(long collectionId, string reason) =>
        _byCollection.AddOrUpdate(collectionId, _ => IndexFollow.None with { Rebuilds = 1, LastRebuild = reason },
            (_, f) => f with { Rebuilds = f.Rebuilds + 1, LastRebuild = reason });

    public void Forget(long collectionId) => _byCollection.TryRemove(collectionId, out _);
}

/// <param name="VersionsFromLog">Versions applied as deltas from the change log since this process started.</param>
/// <param name="Rebuilds">Times the index was rebuilt from a store snapshot while it was held (not counting a first build).</param>
/// <param name="LastRebuild">Why it was last rebuilt, or null.</param>
public sealed record IndexFollow(long VersionsFromLog, int Rebuilds, string? LastRebuild)
{
    public static readonly IndexFollow None = new(0, 0, null);
}
