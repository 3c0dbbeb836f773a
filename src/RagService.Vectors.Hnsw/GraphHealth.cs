namespace RagService.Vectors.Hnsw;

/// <summary>Connectivity of one HNSW level.</summary>
/// <param name="Level">0 is the bottom level, which holds every node.</param>
/// <param name="Nodes">Nodes (live or tombstoned) that have this level.</param>
/// <param name="InDegreeZero">Nodes of this level that no other node links to on it (the entry point excepted).</param>
/// <param name="Unreachable">Nodes of this level that a walk over this level's links from the entry point never reaches.</param>
public sealed record GraphLevelHealth(int Level, int Nodes, int InDegreeZero, int Unreachable);

/// <summary>
/// What a consistency check of an HNSW graph found. A healthy graph has no unreachable live nodes: a graph search
/// can only return nodes it can walk to, so an unreachable one is missing from every approximate result.
/// </summary>
/// <param name="Nodes">Stored nodes, live and tombstoned.</param>
/// <param name="LiveNodes">Nodes that searches may return.</param>
/// <param name="UnreachableLiveNodes">Live nodes that a walk over all levels from the entry point never reaches.</param>
/// <param name="Levels">Per level, bottom first.</param>
/// <param name="Problems">Structural defects (links beyond capacity, to missing nodes, self or duplicate links, links to nodes without that level).</param>
public sealed record GraphHealth(int Nodes, int LiveNodes, int UnreachableLiveNodes, IReadOnlyList<GraphLevelHealth> Levels, IReadOnlyList<string> Problems)
{
    public int ReachableLiveNodes => LiveNodes - UnreachableLiveNodes;

    /// <summary>Slots kept off the graph as duplicates of a node (copies of one vector), live or tombstoned; they are returned with their node.</summary>
    public int DuplicateGroupMembers { get; init; }

    public bool IsHealthy => UnreachableLiveNodes == 0 && Problems.Count == 0;
}
