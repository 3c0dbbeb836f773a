using Microsoft.Extensions.Logging;

namespace RagService.Vectors.Hnsw;

/// <summary>The HNSW engine's log lines (source-generated): snapshots written, loaded, caught up and rebuilt.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Could not write the vector snapshot of collection {Collection}; it will be rebuilt at next start")]
    public static partial void SnapshotWriteFailed(this ILogger logger, Exception exception, long collection);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Vector index of collection {Collection} loaded from its snapshot at version {Taken} and caught up to {Version} from the change log")]
    public static partial void SnapshotCaughtUp(this ILogger logger, long collection, long taken, long version);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Vector index loaded from snapshot {Path} ({Detail}, source version {Version})")]
    public static partial void SnapshotLoaded(this ILogger logger, string path, string? detail, long version);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Vector index snapshot {Path} is {Status} ({Detail}); rebuilding from the store")]
    public static partial void SnapshotUnusable(this ILogger logger, string path, string status, string? detail);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Vector index rebuilt: {Count} vectors in {Seconds:F1} s, snapshot written to {Path}")]
    public static partial void SnapshotRebuilt(this ILogger logger, int count, double seconds, string path);
}
