namespace RagService.Api.Jobs;

/// <summary>The "Rag:Sync" configuration section: limits on sync archives and on the job queue.</summary>
public sealed class SyncOptions
{
    /// <summary>Largest sync request body (the compressed archive), bytes.</summary>
    public long MaxArchiveBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most entries (files and folders) in one archive.</summary>
    public int MaxEntries { get; set; } = 5_000;

    /// <summary>Longest path of an archive entry, characters.</summary>
    public int MaxEntryPathChars { get; set; } = 1_024;

    /// <summary>Largest GNU long-name/long-link or pax header record in a tar archive, bytes (checked before it is read).</summary>
    public long MaxTarHeaderBytes { get; set; } = 64 * 1024;

    /// <summary>Largest uncompressed file in an archive, bytes.</summary>
    public long MaxFileBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Largest total uncompressed size of an archive, bytes.</summary>
    public long MaxTotalBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Most paths in a manifest (the whole folder, most of it usually unchanged).</summary>
    public int MaxManifestFiles { get; set; } = 100_000;

    /// <summary>
    /// A sync with at most this many documents to add, update or delete (default 10) runs within the request and answers 200 OK; larger ones become a
    /// job (202 Accepted).
    /// </summary>
    public int MaxSynchronousItems { get; set; } = 10;

    /// <summary>Most jobs waiting or running at once across the cluster (counted in the store); beyond it a new job gets 429 with Retry-After.</summary>
    public int MaxQueuedJobs { get; set; } = 8;

    /// <summary>Most bytes of files the waiting and running jobs of the whole cluster may hold in the store; beyond it
    /// a new job gets 429 with Retry-After.</summary>
    public long MaxQueuedBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// How long a worker's lease on a job lasts without renewal, seconds: when its replica dies, another replica takes
    /// the job over this long after the last renewal at most (plus <see cref="ClaimPollInterval"/>).
    /// </summary>
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>How often a worker renews the lease of the job it runs, seconds; less than half of <see
    /// cref="LeaseSeconds"/>, so one missed renewal does not lose it.</summary>
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>How often an idle worker looks in the store for a job it may run (one queued on another replica, or one whose lease expired).</summary>
    public TimeSpan ClaimPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Finished jobs (with their per-document lists) are deleted at start-up once they are this many days old.</summary>
    public int JobRetentionDays { get; set; } = 30;

    /// <summary>Retry-After, seconds, sent with 429 (queue full) and 503 (shutting down).</summary>
    public int RetryAfterSeconds { get; set; } = 10;

    /// <summary>
    /// When the store cannot be used, how long the job worker waits before it looks again for a job to run; jobs resume
    /// once the store is back, without a restart.
    /// </summary>
    public TimeSpan ResumeRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Most documents a sync job reads, extracts and chunks ahead of the one it is writing (the queue between the stages):
    /// enough short documents to fill <see cref="EmbedBatchPassages"/>.
    /// </summary>
    public int PrepareAheadDocuments { get; set; } = 512;

    /// <summary>Most file bytes of the documents waiting in that queue; one document always passes, however large.</summary>
    public long PrepareAheadBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Most passages (chunks) a sync job embeds in one call across documents (the embedder then runs them in length-sorted
    /// batches of its own size, Rag:Embedding:BatchSize); a document with more still goes whole. 1 embeds each document alone.
    /// The default, 32 batches of the default batch size, sorts each batch among a thirty-second of the passages' lengths,
    /// so the padding ORT computes stays small.
    /// </summary>
    public int EmbedBatchPassages { get; set; } = 1024;

    /// <summary>Throws naming the setting to fix.</summary>
    public void Validate()
    {
        if (LeaseSeconds is < 2 or > 3600)
        {
            throw new InvalidOperationException($"Rag:Sync:LeaseSeconds must be between 2 and 3600, not {LeaseSeconds}");
        }

        if (HeartbeatSeconds < 1 || HeartbeatSeconds * 2 > LeaseSeconds)
        {
            throw new InvalidOperationException(
                $"Rag:Sync:HeartbeatSeconds must be at least 1 and at most half of Rag:Sync:LeaseSeconds ({LeaseSeconds}), not {HeartbeatSeconds}");
        }

        if (ClaimPollInterval < TimeSpan.FromMilliseconds(50) || ClaimPollInterval > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException($"Rag:Sync:ClaimPollInterval must be between 00:00:00.05 and 00:10:00, not {ClaimPollInterval}");
        }

        if (MaxQueuedJobs < 1 || MaxQueuedBytes < 1)
        {
            throw new InvalidOperationException($"Rag:Sync:MaxQueuedJobs ({MaxQueuedJobs}) and Rag:Sync:MaxQueuedBytes ({MaxQueuedBytes}) must be at least 1");
        }

        if (PrepareAheadDocuments is < 1 or > 10_000)
        {
            throw new InvalidOperationException($"Rag:Sync:PrepareAheadDocuments must be between 1 and 10000, not {PrepareAheadDocuments}");
        }

        if (PrepareAheadBytes < 1)
        {
            throw new InvalidOperationException($"Rag:Sync:PrepareAheadBytes must be at least 1, not {PrepareAheadBytes}");
        }

        if (EmbedBatchPassages is < 1 or > 100_000)
        {
            throw new InvalidOperationException($"Rag:Sync:EmbedBatchPassages must be between 1 and 100000, not {EmbedBatchPassages}");
        }

        if (ResumeRetryInterval < TimeSpan.FromMilliseconds(100) || ResumeRetryInterval > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException($"Rag:Sync:ResumeRetryInterval must be between 00:00:00.1 and 01:00:00, not {ResumeRetryInterval}");
        }
    }
}
