using Microsoft.Extensions.Logging;

namespace RagService.Core.Storage;

/// <summary>The knowledge store's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "The {Engine} index could not apply version {Version} of collection {Collection}; it will catch up from the store")]
    public static partial void IndexApplyFailed(this ILogger logger, Exception exception, string engine, long version, string collection);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "The {Engine} index could not drop deleted collection {Collection}; its files stay until the folder is cleaned")]
    public static partial void IndexDropFailed(this ILogger logger, Exception exception, string engine, string collection);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "The {Engine} index could not commit a group of writes to collection {Collection}; it will catch up from the store at its next open")]
    public static partial void IndexGroupCommitFailed(this ILogger logger, Exception exception, string engine, string collection);
}
