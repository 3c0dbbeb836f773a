namespace RagService.Core.Jobs;

/// <summary>Durable jobs and their per-document progress, so that a job survives a restart and resumes where it stopped.</summary>
public interface IJobStore
{
    /// <summary>
    /// Stores a new job with its items in one transaction. When the collection already has a job with the same
    /// idempotency key, nothing is written and that job is returned with Created = false.
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

    /// <summary>Marks the job finished and drops the stored content of its items.</summary>
    Task FinishAsync(string id, JobState state, string? error, CancellationToken ct);
}
