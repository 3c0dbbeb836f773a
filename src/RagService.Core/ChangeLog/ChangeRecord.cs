namespace RagService.Core.ChangeLog;

/// <summary>
/// One committed write as the store's change log keeps it: the collection's version it produced and the chunk ids it
/// removed and added. It is appended in the write's own transaction, so the log and the rows never disagree.
/// </summary>
public sealed record ChangeRecord(long CollectionId, long Version, IReadOnlyList<long> Removed, IReadOnlyList<long> Added)
{
    /// <summary>The chunks whose document's access list alone changed (<see cref="Indexing.IndexChange.AccessChanged"/>).</summary>
    public IReadOnlyList<long> AccessChanged { get; init; } = [];
}
