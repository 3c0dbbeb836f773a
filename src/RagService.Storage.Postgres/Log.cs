using Microsoft.Extensions.Logging;

namespace RagService.Storage.Postgres;

/// <summary>The PostgreSQL store's log lines (source-generated): an unreachable database and lost notifications.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Change notifications unavailable ({Reason}); polling until the store answers again")]
    public static partial void ChangeNotificationsUnavailable(this ILogger logger, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "Store unavailable at start-up: {Reason}; the service starts unready and tries again at each use")]
    public static partial void StoreUnavailableAtStart(this ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Collection version notifications lost ({Reason}); reading versions from the database until they are back")]
    public static partial void VersionNotificationsLost(this ILogger logger, string reason);
}
