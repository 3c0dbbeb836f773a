using Microsoft.Extensions.Logging;

namespace RagService.Vectors.Qdrant;

/// <summary>The Qdrant adapter's log lines (source-generated): clean-ups that could not finish.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Could not delete the Qdrant collections of collection {Collection}; delete those named *--c{Collection}g* by hand")]
    public static partial void CollectionDeleteFailed(this ILogger logger, Exception exception, long collection);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Could not remove the points of a failed write from {Collection}")]
    public static partial void FailedWriteCleanupFailed(this ILogger logger, Exception exception, string collection);
}
