using Microsoft.Extensions.Logging;

namespace RagService.Api.Jobs;

/// <summary>The job worker's and sync runner's log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "The job table can be used again; jobs run again")]
    public static partial void JobTableBack(this ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "Jobs cannot run: the job table cannot be used ({Reason}); looking again every {Interval}")]
    public static partial void JobTableUnusable(this ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Job {JobId} checkpointed at shutdown; any replica resumes it")]
    public static partial void JobCheckpointed(this ILogger logger, string jobId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Job {JobId} failed")]
    public static partial void JobFailed(this ILogger logger, Exception exception, string jobId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Deleted {Count} finished jobs older than {Days} days")]
    public static partial void JobsExpired(this ILogger logger, int count, int days);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Job {JobId}: the lease is held by another worker now; this replica stops running it")]
    public static partial void LeaseTaken(this ILogger logger, string jobId);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "Job {JobId} on {Collection}: {Added} added, {Updated} updated, {Unchanged} unchanged, {Deleted} deleted, {Failed} failed")]
    public static partial void SyncJobDone(this ILogger logger, string jobId, string collection, int added, int updated, int unchanged, int deleted, int failed);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Job {JobId} on {Collection} stopped: {Reason}")]
    public static partial void SyncJobStopped(this ILogger logger, string jobId, string collection, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Job {JobId}: ingesting {Path} failed")]
    public static partial void SyncItemFailed(this ILogger logger, Exception exception, string jobId, string path);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "Job {JobId}: the lease could not be renewed before it expired ({Reason}); this replica stops running it")]
    public static partial void LeaseNotRenewed(this ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information,
        Message = "{Count} job lease(s) of a previous process ended at start; their jobs resume now instead of after Rag:Sync:LeaseSeconds")]
    public static partial void EndedProcessLeasesTakenOver(this ILogger logger, int count);
}
