namespace RagService.Core.ChangeLog;

/// <summary>Whether the log entries found cover every version after an index's version, or which one is missing.</summary>
public static class ChangeLogGap
{
    /// <param name="versions">The versions found in the log in (from, to], ascending.</param>
    /// <returns>Null when every version in (from, to] is there; otherwise the reason, for stats and logs.</returns>
    public static string? Find(long fromVersion, long toVersion, IReadOnlyList<long> versions)
    {
        var expected = fromVersion + 1;
        foreach (var version in versions)
        {
            if (version != expected)
            {
                break;
            }

            expected++;
        }

        return expected > toVersion
            ? null
            : $"the change log does not hold version {expected} (the index is at version {fromVersion}, the store at {toVersion}; trimmed by Rag:ChangeLog:RetainVersions or written without the log)";
    }
}
