namespace RagService.Api.Contracts;

/// <param name="Done">Documents added, updated, deleted or failed so far.</param>
/// <param name="Total">Documents this job adds, updates or deletes (unchanged ones cost nothing and are not counted).</param>
public sealed record JobProgressResponse(int Done, int Total);

public sealed record JobCountsResponse(int Added, int Updated, int Unchanged, int Deleted, int Failed);

public sealed record JobFailureResponse(string Path, string Error);

/// <summary>A document the job indexed although parts of it could not be read, with the extractor's warnings (as an upload's "warnings").</summary>
public sealed record JobItemWarningsResponse(string Path, IReadOnlyList<string> Warnings);

/// <summary>An ingestion job. The path lists hold finished items; they are left out when the job is fetched with lists=false.</summary>
/// <param name="State">"queued", "running", "succeeded", "completed_with_errors" (some documents failed) or "failed" (the job could not run).</param>
/// <param name="Stage">"planned", "ingesting", "pruning" or "done".</param>
/// <param name="PartlyRead">Documents indexed with parts that could not be read, each with its warnings; left out with lists=false.</param>
public sealed record JobResponse(
    string Id,
    string Kind,
    string Collection,
    string State,
    string Stage,
    bool Prune,
    JobProgressResponse Progress,
    JobCountsResponse Counts,
    IReadOnlyList<string>? Added,
    IReadOnlyList<string>? Updated,
    IReadOnlyList<string>? Unchanged,
    IReadOnlyList<string>? Deleted,
    IReadOnlyList<JobFailureResponse>? Failed,
    IReadOnlyList<JobItemWarningsResponse>? PartlyRead,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>
    /// Once the job finished: the collection's model-fit warnings (unknown-token or truncation rate above Rag:Retrieval:ModelFit's
    /// limits under the embedding model's tokenizer); empty when the text fits, null while running or without an embedding model.
    /// </summary>
    public IReadOnlyList<string>? Warnings { get; init; }
}

/// <param name="Path">Path relative to the synced folder, '/'-separated; it becomes the document id.</param>
/// <param name="Sha256">SHA-256 of the file's bytes, hex.</param>
/// <param name="Access">Access list (principals such as "group:hr"); [] for none (unlistedAccess decides); absent: the stored list stays.
/// A list that differs from the stored one while the hash matches is an access change alone: nothing is re-extracted or re-embedded.</param>
public sealed record ManifestEntry(string? Path, string? Sha256, List<string>? Access = null);

/// <summary>The whole folder as paths and hashes. Also the format of the ".rag-sync-manifest.json" entry of a sync archive.</summary>
public sealed record SyncManifest(List<ManifestEntry>? Files, bool? Prune);

/// <param name="Send">Paths whose content the server needs: new or changed files.</param>
/// <param name="Unchanged">How many paths match what is stored and need not be sent.</param>
/// <param name="AccessChanged">Unchanged paths whose manifest access list differs from the stored one: only their access is set. Absent when none.</param>
public sealed record SyncPlanResponse(IReadOnlyList<string> Send, IReadOnlyList<string> Added, IReadOnlyList<string> Updated, int Unchanged, IReadOnlyList<string> Deleted,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? AccessChanged = null);
