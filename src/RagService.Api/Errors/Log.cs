using Microsoft.Extensions.Logging;

namespace RagService.Api.Errors;

/// <summary>The problem-details handler's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Request failed: {Path}")]
    public static partial void RequestFailed(this ILogger logger, Exception exception, string path);
}
