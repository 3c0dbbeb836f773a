namespace RagService.Core.Jobs;

/// <summary>Where a job is in its life. Queued and Running jobs are resumed when the service starts.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    /// <summary>Finished, but at least one document failed; the others were applied.</summary>
    CompletedWithErrors,
    /// <summary>The job as a whole could not run (for example its collection was deleted).</summary>
    Failed,
}

public enum JobStage
{
    Planned,
    Ingesting,
    Pruning,
    Done,
}

/// <summary>What a sync does with one path.</summary>
public enum SyncAction
{
    Add,
    Update,
    Unchanged,
    Delete,
}

public enum ItemStatus
{
    Pending,
    Done,
    Failed,
}

/// <summary>Items by outcome. Total and Done count only the items that need work (add, update, delete).</summary>
public sealed record JobCounts(int Total, int Done, int Added, int Updated, int Unchanged, int Deleted, int Failed)
{
    public static JobCounts Empty { get; } = new(0, 0, 0, 0, 0, 0, 0);
}

public sealed record JobRecord(
    string Id,
    string Kind,
    string Collection,
    JobState State,
    JobStage Stage,
    bool Prune,
    JobCounts Counts,
    string? Error,
    string? IdempotencyKey,
    string RequestHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt)
{
    public bool IsFinished => State is JobState.Succeeded or JobState.CompletedWithErrors or JobState.Failed;
}

/// <summary>One path of a job: the document id is the path.</summary>
/// <param name="Warnings">For a document indexed with parts it could not read (a page no text layer or OCR read), the extractor's warnings; empty
/// otherwise.</param>
public sealed record JobItem(int Ordinal, string Path, SyncAction Action, ItemStatus Status, string? Sha256, int Chunks, string? Error, IReadOnlyList<string> Warnings);

/// <summary>An item to store with a new job; Content is kept until the job finishes so that a restarted service can resume.</summary>
public sealed record NewJobItem(string Path, SyncAction Action, ItemStatus Status, string? Sha256, byte[]? Content, string? Error);

/// <param name="Id">The id to store it under (the caller may need it before the job exists), or null for a new one.</param>
/// <param name="Files">The files its items need, stored with the job (so any replica can run it) until it finishes.</param>
/// <param name="Admission">The bounds the store checks before it accepts the job; null accepts it whatever is queued.</param>
public sealed record NewJob(string Kind, string Collection, bool Prune, string? IdempotencyKey, string RequestHash, IReadOnlyList<NewJobItem> Items, string? Id = null,
    IReadOnlyList<JobFile>? Files = null, JobAdmission? Admission = null);

/// <summary>A file a job's items name by SHA-256; read one at a time while the job is stored, so no request holds them all in memory.</summary>
public sealed record JobFile(string Sha256, long Length, Func<CancellationToken, Task<byte[]>> ReadAsync);

/// <summary>Cluster-wide bounds on the jobs accepted but not finished: how many, and how many bytes of files they hold.</summary>
public sealed record JobAdmission(int MaxUnfinishedJobs, long MaxFileBytes)
{
    /// <summary>Throws <see cref="JobAdmissionException"/> when <paramref name="job"/> does not fit beside what unfinished jobs hold.</summary>
    public void Check(NewJob job, long unfinishedJobs, long fileBytesInUse)
    {
        if (unfinishedJobs >= MaxUnfinishedJobs)
        {
            throw new JobAdmissionException(JobAdmissionLimit.Jobs, unfinishedJobs, 1);
        }

        var bytes = job.Files?.Sum(f => f.Length) ?? 0;
        if (fileBytesInUse + bytes > MaxFileBytes)
        {
            throw new JobAdmissionException(JobAdmissionLimit.FileBytes, fileBytesInUse, bytes);
        }
    }
}

/// <summary>Which <see cref="JobAdmission"/> bound refused a job.</summary>
public enum JobAdmissionLimit
{
    Jobs,
    FileBytes,
}

/// <summary>A job refused by <see cref="JobAdmission"/>: <paramref name="inUse"/> is what unfinished jobs already hold,
/// <paramref name="requested"/> what this one brings.</summary>
public sealed class JobAdmissionException(JobAdmissionLimit limit, long inUse, long requested)
    : Exception($"unfinished jobs already hold {inUse} {(limit == JobAdmissionLimit.Jobs ? "jobs" : "bytes")} and this one brings {requested}")
{
    public JobAdmissionLimit Limit { get; } = limit;

    public long InUse { get; } = inUse;

    public long Requested { get; } = requested;
}
