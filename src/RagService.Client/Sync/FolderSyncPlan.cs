using RagService.Client.Models;

namespace RagService.Client.Sync;

/// <summary>
/// What a sync of a folder would do, computed without writing anything (<see cref="RagServiceClient.PlanFolderSyncAsync"/>):
/// the files it sends and the documents it adds, updates and deletes. Carried out by
/// <see cref="RagServiceClient.ApplyFolderSyncPlanAsync"/>.
/// </summary>
public sealed class FolderSyncPlan
{
    private FolderSyncPlan(IReadOnlyList<FolderFile> snapshot, IReadOnlyList<FolderFile> send, SyncPlan plan)
    {
        Snapshot = snapshot;
        SendFiles = send;
        Send = send.Select(f => f.Path).ToList();
        Added = plan.Added;
        Updated = plan.Updated;
        Unchanged = plan.Unchanged;
        Deleted = plan.Deleted;
        AccessChanged = plan.AccessChanged ?? [];
    }

    /// <summary>Files in the folder (those the extensions filter lets through).</summary>
    public int Files => Snapshot.Count;

    /// <summary>Paths of the files the sync uploads: the new and changed ones, or every file with <see cref="SyncFolderOptions.Full"/>.</summary>
    public IReadOnlyList<string> Send { get; }

    /// <summary>Document ids the sync adds (files the collection does not have).</summary>
    public IReadOnlyList<string> Added { get; }

    /// <summary>Document ids the sync replaces (files whose SHA-256 changed).</summary>
    public IReadOnlyList<string> Updated { get; }

    /// <summary>Files whose document is already up to date.</summary>
    public int Unchanged { get; }

    /// <summary>Document ids the sync deletes because the folder no longer has them (empty without prune).</summary>
    public IReadOnlyList<string> Deleted { get; }

    /// <summary>Unchanged files whose access list changes: only the list is set, nothing is re-extracted or re-embedded.</summary>
    public IReadOnlyList<string> AccessChanged { get; }

    internal IReadOnlyList<FolderFile> Snapshot { get; }

    internal IReadOnlyList<FolderFile> SendFiles { get; }

    internal static FolderSyncPlan From(IReadOnlyList<FolderFile> files, SyncPlan plan, bool full)
    {
        var wanted = plan.Send.ToHashSet(StringComparer.Ordinal);
        return new FolderSyncPlan(files, full ? files : files.Where(f => wanted.Contains(f.Path)).ToList(), plan);
    }

    /// <summary>A plan for a collection that does not exist yet: every file is added, nothing deleted.</summary>
    internal static FolderSyncPlan ForNewCollection(IReadOnlyList<FolderFile> files) =>
        new(files, files, new SyncPlan([], files.Select(f => f.Path).ToList(), [], 0, []));
}
