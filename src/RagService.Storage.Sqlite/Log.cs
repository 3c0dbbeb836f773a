using Microsoft.Extensions.Logging;

namespace RagService.Storage.Sqlite;

/// <summary>The SQLite store's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Storage unavailable at start-up: {Reason}")]
    public static partial void StorageUnavailableAtStart(this ILogger logger, string reason);
}
