namespace RagService.Client.Models;

/// <summary>A file of a synced folder.</summary>
/// <param name="Path">Relative to the folder, '/'-separated: the document id.</param>
/// <param name="Sha256">SHA-256 of the file's bytes, lower-case hex.</param>
/// <param name="Access">The document's access list; [] for none; null leaves the stored list as it is.</param>
public sealed record SyncFile(string Path, string Sha256, IReadOnlyList<string>? Access = null);

/// <summary>What a sync of a folder would do.</summary>
/// <param name="Send">Paths whose content the service needs (new or changed files).</param>
/// <param name="AccessChanged">Unchanged files whose access list changes: only the list is set (null when none).</param>
public sealed record SyncPlan(IReadOnlyList<string> Send, IReadOnlyList<string> Added, IReadOnlyList<string> Updated, int Unchanged, IReadOnlyList<string> Deleted,
    IReadOnlyList<string>? AccessChanged = null);

/// <summary>Options of <see cref="RagServiceClient.SyncFolderAsync"/>.</summary>
/// <param name="Prune">Delete documents the folder no longer has.</param>
/// <param name="Extensions">File extensions to send, lower-case with the dot; null = all.</param>
/// <param name="Full">Send every file instead of asking the service which ones changed.</param>
/// <param name="IdempotencyKey">Makes a repeated submission return the first one's job; a new key when null.</param>
/// <param name="Planned">Called once the files to send are known, before the upload (for a plan line or a progress total).</param>
/// <param name="AccessMap">Access lists per path (<see cref="Sync.SyncAccessMap"/>): every file's list goes in the
/// manifest; null leaves access as it is.</param>
public sealed record SyncFolderOptions(bool Prune = false, IReadOnlySet<string>? Extensions = null, bool Full = false, string? IdempotencyKey = null,
    Action<SyncFolderPlan>? Planned = null, Sync.SyncAccessMap? AccessMap = null);

/// <summary>What <see cref="RagServiceClient.SyncFolderAsync"/> is about to send.</summary>
/// <param name="Files">Files in the folder.</param>
/// <param name="Send">Files sent because they are new or changed (all of them with Full).</param>
/// <param name="Deletes">Documents the sync will delete (with Prune); null with Full, where the service decides after the upload.</param>
public sealed record SyncFolderPlan(int Files, int Send, int? Deletes);

/// <summary>Documents done so far out of those the job adds, updates or deletes.</summary>
public sealed record JobProgress(int Done, int Total);

/// <summary>What a job did, per outcome.</summary>
public sealed record JobCounts(int Added, int Updated, int Unchanged, int Deleted, int Failed);

/// <summary>A document a job could not sync, and why.</summary>
public sealed record JobFailure(string Path, string Error);

/// <summary>A document a job indexed although parts of it could not be read, with the extractor's warnings.</summary>
public sealed record JobItemWarnings(string Path, IReadOnlyList<string> Warnings);

/// <summary>An ingestion job. The path lists are null when fetched without them.</summary>
/// <param name="State">"queued", "running", "succeeded", "completed_with_errors" or "failed".</param>
/// <param name="Stage">"planned", "ingesting", "pruning" or "done".</param>
public sealed record Job(string Id, string Kind, string Collection, string State, string Stage, bool Prune, JobProgress Progress, JobCounts Counts,
    IReadOnlyList<string>? Added, IReadOnlyList<string>? Updated, IReadOnlyList<string>? Unchanged, IReadOnlyList<string>? Deleted,
    IReadOnlyList<JobFailure>? Failed, string? Error, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt)
{
    /// <summary>True once the job will not change any more.</summary>
    public bool IsFinished => FinishedAt is not null;

    /// <summary>
    /// Once finished: the collection's model-fit warnings (unknown-token or truncation rate too high for the embedding
    /// model); empty when the text fits, null while running or when the service has no embedding model.
    /// </summary>
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary>
    /// Documents indexed with parts that could not be read (a page no text layer or OCR read), with their warnings; null when fetched without lists.
    /// </summary>
    public IReadOnlyList<JobItemWarnings>? PartlyRead { get; init; }
}
