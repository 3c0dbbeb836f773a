namespace RagService.Core.Jobs;

/// <summary>Durable jobs and their per-document progress, so that a job survives a restart and resumes where it stopped.</summary>
public interface IJobStore
{
    /// <summary>
    /// Stores a new job with its items and files in one transaction. When the collection already has a job with the same
    /// idempotency key, nothing is written and that job is returned with Created = false. With <see cref="NewJob.Admission"/>,
    /// the bounds are checked against every unfinished job in the store (all replicas) under a store-wide lock, and a job
    /// beyond them is refused with <see cref="JobAdmissionException"/> before anything is written.
    /// </summary>
    Task<(JobRecord Job, bool Created)> CreateAsync(NewJob job, CancellationToken ct);

    Task<JobRecord?> GetAsync(string id, CancellationToken ct);

    /// <summary>Most recent first.</summary>
    Task<IReadOnlyList<JobRecord>> ListAsync(string? collection, int limit, CancellationToken ct);

    /// <summary>Ids of Queued and Running jobs, oldest first.</summary>
    Task<IReadOnlyList<string>> ListUnfinishedAsync(CancellationToken ct);

    Task<IReadOnlyList<JobItem>> GetItemsAsync(string id, CancellationToken ct);

    Task<byte[]?> ReadContentAsync(string id, int ordinal, CancellationToken ct);

    /// <summary>Appends items (numbered after the existing ones).</summary>
    Task AddItemsAsync(string id, IReadOnlyList<NewJobItem> items, CancellationToken ct);

    Task SetStateAsync(string id, JobState state, JobStage stage, CancellationToken ct);

    /// <param name="warnings">The extractor's warnings about parts of the document it could not read; empty when none.</param>
    Task CompleteItemAsync(string id, int ordinal, ItemStatus status, SyncAction action, int chunks, string? error, IReadOnlyList<string> warnings, CancellationToken ct);

    /// <summary>Deletes jobs that finished before the given time, with their items; returns how many.</summary>
    Task<int> DeleteFinishedBeforeAsync(DateTimeOffset before, CancellationToken ct);

    /// <summary>Marks the job finished, releases its lease and drops its stored files and item content.</summary>
    Task FinishAsync(string id, JobState state, string? error, CancellationToken ct);

    /// <summary>A file of the job by its SHA-256 (see <see cref="NewJob.Files"/>); null when the job has no such file (or has finished).</summary>
    Task<byte[]?> ReadFileAsync(string id, string sha256, CancellationToken ct);

    /// <summary>
    /// Leases the next job a worker may run to <paramref name="owner"/> for <paramref name="lease"/>, and returns its id
    /// (null when none). A job may be leased when it is unfinished, its lease is free or expired, and it is the oldest
    /// unfinished job of its collection, which makes a lease the collection's lock: one job per collection at a time, in
    /// the order they were accepted. Concurrent callers (other replicas) never lease the same job.
    /// </summary>
    Task<string?> ClaimNextAsync(string owner, TimeSpan lease, CancellationToken ct);

    /// <summary>Leases job <paramref name="id"/> to <paramref name="owner"/> under the rules of <see
    /// cref="ClaimNextAsync"/>; false when it may not be leased now.</summary>
    Task<bool> TryClaimAsync(string id, string owner, TimeSpan lease, CancellationToken ct);

    /// <summary>Extends the lease <paramref name="owner"/> holds; false when it no longer holds it (finished, released,
    /// or taken over after it expired).</summary>
    Task<bool> RenewLeaseAsync(string id, string owner, TimeSpan lease, CancellationToken ct);

    /// <summary>
    /// At a worker's start: ends at once the leases of owners other than <paramref name="owner"/> when the store can tell
    /// they belong to processes that have ended, so their jobs are taken over without waiting out the lease; how many.
    /// A store only one service process uses (SQLite, whose data folder lock keeps a second service out) knows that of
    /// every other owner; a store shared by live replicas cannot, and leaves them to expire (the default).
    /// </summary>
    Task<int> EndLeasesOfEndedProcessesAsync(string owner, CancellationToken ct) => Task.FromResult(0);

    /// <summary>Puts an unfinished job <paramref name="owner"/> holds back in the queue (Queued, Planned, no lease), so
    /// any replica may take it at once.</summary>
    Task ReleaseAsync(string id, string owner, CancellationToken ct);
}
