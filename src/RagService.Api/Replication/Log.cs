using Microsoft.Extensions.Logging;

namespace RagService.Api.Replication;

/// <summary>The change-log follower service's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Change log trimmed: {Rows} entries older than the newest {Keep} versions")]
    public static partial void ChangeLogTrimmed(this ILogger logger, long rows, long keep);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Cannot follow the store's change log: {Reason}; retrying every {Interval}")]
    public static partial void FollowFailing(this ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Following the store's change log failed; retrying in {Interval}")]
    public static partial void FollowError(this ILogger logger, Exception exception, TimeSpan interval);
}
