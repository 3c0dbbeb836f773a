namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Vectors the graph cannot tell apart, kept off the graph: a slot whose vector duplicates a graph node's joins that
/// node's group instead of becoming a node itself, and a search that reaches the node returns the whole group. Each
/// group is a chain through the slots (node → newest member → … → oldest member). Members are prepended under the
/// caller's lock on the node; readers follow the chain without locks, since a member's link is written before the
/// node points to it.
/// </summary>
internal sealed class DuplicateGroups
{
    // Stored as next slot + 1, so that the zeroed chunks read as "no next".
    private readonly ChunkedArray<int> _next = new();

    public void EnsureCapacity(int slots) => _next.EnsureCapacity(slots);

    /// <summary>The member after <paramref name="slot"/> in its group, or -1.</summary>
    public int Next(int slot) => Volatile.Read(ref _next[slot]) - 1;

    /// <summary>Adds <paramref name="member"/> to the group of graph node <paramref name="node"/>; the caller holds the node's lock.</summary>
    public void Join(int node, int member)
    {
        _next[member] = _next[node];
        Volatile.Write(ref _next[node], member + 1);
    }

    /// <summary>Sets a slot's successor from a snapshot (-1: none); the caller has validated the chains.</summary>
    public void Restore(int slot, int next) => _next[slot] = next + 1;
}
