using Microsoft.Extensions.Logging;

namespace RagService.Core.ChangeLog;

/// <summary>The change-log follower's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Collection {Collection} is gone from the store; its indexes are dropped")]
    public static partial void CollectionGone(this ILogger logger, long collection);
}
