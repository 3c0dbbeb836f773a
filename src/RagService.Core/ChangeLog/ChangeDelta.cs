using RagService.Core.Indexing;

namespace RagService.Core.ChangeLog;

/// <summary>
/// What changed in a collection between two versions, read from the change log in one read snapshot: the chunk ids
/// removed, and the chunks added that still exist at <see cref="ToVersion"/> (with text, terms and vector). Applying it
/// to an index at <see cref="FromVersion"/> gives the index at <see cref="ToVersion"/>; chunk ids are never reused, so
/// deleting <see cref="ToDelete"/> before adding makes applying it twice harmless.
/// </summary>
public sealed record ChangeDelta(long FromVersion, long ToVersion, IReadOnlyList<long> Removed, IReadOnlyList<IndexEntry> Added)
{
    /// <summary>
    /// Chunks that stayed but whose document's access list changed in the span, as they are at <see cref="ToVersion"/>
    /// (access included), and not in <see cref="Added"/>: engines that index access re-add them; others ignore them.
    /// </summary>
    public IReadOnlyList<IndexEntry> AccessChanged { get; init; } = [];

    /// <summary>How many versions the delta spans (0: the index was current).</summary>
    public long Versions => ToVersion - FromVersion;

    /// <summary>The removed ids and the ids about to be added, so that no chunk is ever held twice.</summary>
    public IEnumerable<long> ToDelete => Removed.Concat(Added.Select(a => a.ChunkId));
}

/// <summary>A delta, or why the log cannot give one (<see cref="Gap"/>): then the index rebuilds from a snapshot.</summary>
public sealed record ChangeRead(ChangeDelta? Delta, string? Gap)
{
    public static ChangeRead Of(ChangeDelta delta) => new(delta, null);

    public static ChangeRead Missing(string gap) => new(null, gap);
}
