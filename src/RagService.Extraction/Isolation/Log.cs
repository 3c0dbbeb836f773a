using Microsoft.Extensions.Logging;

namespace RagService.Extraction.Isolation;

/// <summary>The isolated extraction's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Extraction refused: {Failure}; file sha256 {Sha256}, {Bytes} bytes, extractor {Extractor}: {Reason}")]
    public static partial void ExtractionRefused(this ILogger logger, string failure, string sha256, int bytes, string extractor, string reason);
}
