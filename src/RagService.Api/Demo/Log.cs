using Microsoft.Extensions.Logging;

namespace RagService.Api.Demo;

/// <summary>The demo knowledge base's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Demo document {Id}: {Outcome}, {Chunks} chunks")]
    public static partial void DemoDocument(this ILogger logger, string id, string outcome, int chunks);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Demo collection: another replica is seeding it")]
    public static partial void SeededElsewhere(this ILogger logger);
}
