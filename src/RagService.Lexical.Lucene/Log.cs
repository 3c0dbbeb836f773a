using Microsoft.Extensions.Logging;

namespace RagService.Lexical.Lucene;

/// <summary>The Lucene engine's log lines (source-generated): indexes opened, caught up, rebuilt and refused.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "BM25 search refused: {Reason}")]
    public static partial void SearchRefused(this ILogger logger, string? reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Lucene index of collection {Collection} loaded at version {Loaded} and caught up to {Version} from the change log")]
    public static partial void IndexCaughtUp(this ILogger logger, string collection, long loaded, long version);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Lucene index of collection {Collection} loaded from {Path} at version {Version}")]
    public static partial void IndexLoaded(this ILogger logger, string collection, string path, long version);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Lucene index of collection {Collection} does not exist yet; creating it at {Path} from SQLite")]
    public static partial void IndexCreated(this ILogger logger, string collection, string path);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Lucene index of collection {Collection} at {Path} is {Problem}; rebuilding from SQLite")]
    public static partial void IndexUnusable(this ILogger logger, string collection, string path, string? problem);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information,
        Message = "Lucene index {Path} is at version {Index}, the store at {Store}: rebuilding ({Reason})")]
    public static partial void IndexStale(this ILogger logger, string path, long index, long store, string? reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "Lucene index {Path} could not read access change {Version} from the change log ({Reason}); the next search catches up")]
    public static partial void AccessChangeDeferred(this ILogger logger, string path, long version, string? reason);
}
