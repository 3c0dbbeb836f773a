namespace RagService.Core.Jobs;

/// <summary>A path the client has: its content's SHA-256, and whether the content was sent or only listed in a manifest.</summary>
public sealed record SyncFile(string Path, string Sha256, bool ContentSent);

/// <param name="NeedsContent">The stored version differs (or is missing) but only the hash was sent: the client must send the file.</param>
public sealed record PlannedItem(string Path, string? Sha256, SyncAction Action, bool NeedsContent);

/// <summary>
/// Decides what a sync does, from file hashes alone: a path whose SHA-256 matches the stored document's source hash is
/// unchanged and costs nothing (no extraction, chunking or embedding).
/// </summary>
public static class SyncPlanner
{
    /// <param name="stored">Document id → the SHA-256 of the file it was synced from (null for documents not added by a sync).</param>
    public static IReadOnlyList<PlannedItem> Plan(IReadOnlyList<SyncFile> files, IReadOnlyDictionary<string, string?> stored, bool prune)
    {
        var plan = new List<PlannedItem>(files.Count);
        foreach (var file in files)
        {
            var exists = stored.TryGetValue(file.Path, out var storedSha);
            if (exists && string.Equals(storedSha, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                plan.Add(new PlannedItem(file.Path, file.Sha256, SyncAction.Unchanged, false));
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
