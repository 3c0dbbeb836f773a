using Microsoft.Extensions.Logging;

namespace RagService.Onnx;

/// <summary>The ONNX model loader's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Component} model {Directory}: {Warning}")]
    public static partial void ModelWarning(this ILogger logger, string component, string directory, string warning);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Component} model loaded: {Detail} (ONNX Runtime {Version})")]
    public static partial void ModelLoaded(this ILogger logger, string component, string detail, string version);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Component} model from {Directory} failed to load")]
    public static partial void ModelFailed(this ILogger logger, Exception exception, string component, string? directory);
}
