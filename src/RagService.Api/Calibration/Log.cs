using Microsoft.Extensions.Logging;

namespace RagService.Api.Calibration;

/// <summary>The fusion calibration worker's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Fusion calibration could not check the collections at start: {Reason}")]
    public static partial void StartCheckFailed(this ILogger logger, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Fusion calibration of collection {Collection} failed; searches keep the previous fusion")]
    public static partial void CalibrationFailed(this ILogger logger, Exception exception, string collection);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Collection {Collection}: fusion calibration scheduled at start ({Reason})")]
    public static partial void CalibrationScheduled(this ILogger logger, string collection, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Collection {Collection} calibrated in {Seconds:0.0} s: {Fusion}")]
    public static partial void Calibrated(this ILogger logger, string collection, double seconds, string fusion);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Collection {Collection}: another replica is calibrating it; its stored result is used")]
    public static partial void CalibratedElsewhere(this ILogger logger, string collection);
}
