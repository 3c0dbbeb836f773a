using RagService.Core.ChangeLog;

namespace RagService.Tests.Shared;

/// <summary>A change log that answers every read with <see cref="Read"/> (set by the test) and records what was asked.</summary>
public sealed class ScriptedChangeFeed : IChangeFeed
{
    public ChangeRead Read { get; set; } = ChangeRead.Missing("nothing logged");

    public List<(long Collection, long From)> Reads { get; } = [];

    public string Signal => "polling";

    public ChangeRead ReadSince(long collectionId, long fromVersion)
    {
        Reads.Add((collectionId, fromVersion));
        return Read;
    }

    public Task<IReadOnlyDictionary<long, long>> GetVersionsAsync(CancellationToken ct) => throw new NotSupportedException();

    public Task<int> TrimAsync(long keepVersions, CancellationToken ct) => throw new NotSupportedException();

    public Task WaitForChangeAsync(TimeSpan timeout, CancellationToken ct) => Task.CompletedTask;
}
