namespace RagService.Core.Jobs;

/// <summary>A path the client has: its content's SHA-256, and whether the content was sent or only listed in a manifest.</summary>
public sealed record SyncFile(string Path, string Sha256, bool ContentSent)
{
    /// <summary>The manifest gave the path an access list (<see cref="Access"/>; null there: none), which the sync applies.</summary>
    public bool SetsAccess { get; init; }

    public IReadOnlyList<string>? Access { get; init; }
}

/// <param name="NeedsContent">The stored version differs (or is missing) but only the hash was sent: the client must send the file.</param>
public sealed record PlannedItem(string Path, string? Sha256, SyncAction Action, bool NeedsContent)
{
    /// <summary>Unchanged content whose access list is to change: an access change alone, nothing re-extracted or re-embedded.</summary>
    public bool AccessChanged { get; init; }
}

/// <summary>
/// Decides what a sync does, from file hashes alone: a path whose SHA-256 matches the stored document's source hash is
/// unchanged and costs nothing (no extraction, chunking or embedding).
/// </summary>
public static class SyncPlanner
{
    /// <param name="stored">Document id → the SHA-256 of the file it was synced from (null for documents not added by a sync).</param>
    /// <param name="storedAccess">Document id → its stored access list (null: none), compared with the files that set one.</param>
    public static IReadOnlyList<PlannedItem> Plan(IReadOnlyList<SyncFile> files, IReadOnlyDictionary<string, string?> stored, bool prune,
        IReadOnlyDictionary<string, IReadOnlyList<string>?>? storedAccess = null)
    {
        var plan = new List<PlannedItem>(files.Count);
        foreach (var file in files)
        {
            var exists = stored.TryGetValue(file.Path, out var storedSha);
            if (exists && string.Equals(storedSha, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                var current = storedAccess?.GetValueOrDefault(file.Path) ?? [];
                plan.Add(new PlannedItem(file.Path, file.Sha256, SyncAction.Unchanged, false)
                {
                    AccessChanged = file.SetsAccess && !current.SequenceEqual(file.Access ?? [], StringComparer.Ordinal),
                });
            }
            else
            {
                plan.Add(new PlannedItem(file.Path, file.Sha256, exists ? SyncAction.Update : SyncAction.Add, !file.ContentSent));
            }
        }

        if (prune)
        {
            plan.AddRange(Deletions(stored.Keys, files.Select(f => f.Path)).Select(id => new PlannedItem(id, null, SyncAction.Delete, false)));
        }

        return plan;
    }

    /// <summary>Stored document ids that are not among the kept paths, in ordinal order.</summary>
    public static IReadOnlyList<string> Deletions(IEnumerable<string> storedIds, IEnumerable<string> keep)
    {
        var kept = new HashSet<string>(keep, StringComparer.Ordinal);
        return storedIds.Where(id => !kept.Contains(id)).Order(StringComparer.Ordinal).ToList();
    }
}
