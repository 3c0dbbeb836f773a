using Microsoft.Extensions.Logging;

namespace RagService.Api.Jobs;

/// <summary>The job worker's and sync runner's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "The job table can be used again; unfinished jobs resumed")]
    public static partial void JobTableBack(this ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "Jobs cannot resume yet: the job table cannot be used ({Reason}); looking again every {Interval}")]
    public static partial void JobTableUnusable(this ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Job {JobId} checkpointed at shutdown; it resumes at the next start")]
    public static partial void JobCheckpointed(this ILogger logger, string jobId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Job {JobId} failed")]
    public static partial void JobFailed(this ILogger logger, Exception exception, string jobId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Deleted {Count} finished jobs older than {Days} days")]
    public static partial void JobsExpired(this ILogger logger, int count, int days);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Resuming job {JobId}")]
    public static partial void JobResuming(this ILogger logger, string jobId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "Job {JobId} on {Collection}: {Added} added, {Updated} updated, {Unchanged} unchanged, {Deleted} deleted, {Failed} failed")]
    public static partial void SyncJobDone(this ILogger logger, string jobId, string collection, int added, int updated, int unchanged, int deleted, int failed);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Job {JobId} on {Collection} stopped: {Reason}")]
    public static partial void SyncJobStopped(this ILogger logger, string jobId, string collection, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Job {JobId}: ingesting {Path} failed")]
    public static partial void SyncItemFailed(this ILogger logger, Exception exception, string jobId, string path);
}
