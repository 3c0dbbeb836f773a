namespace RagService.VectorIndex.Internal;

/// <summary>What <see cref="GraphConsistency.Inspect"/> found.</summary>
internal sealed record GraphReport(int Nodes, int LiveNodes, int ReachableLiveNodes, IReadOnlyList<string> Problems);

/// <summary>
/// Structural check of a quiescent graph: link counts within capacity, links to existing nodes only,
/// no self or duplicate links, links on a level only to nodes that have that level, and which live
/// nodes a walk over all levels from the entry point reaches.
/// </summary>
internal static class GraphConsistency
{
    public static GraphReport Inspect(IndexState state)
    {
        var graph = state.Graph ?? throw new InvalidOperationException("Not an HNSW index.");
        var vectors = state.Vectors;
        int nodes = vectors.SlotCount;
        var problems = new List<string>();
        for (int n = 0; n < nodes; n++)
        {
            int level = graph.LevelOf(n);
            for (int l = 0; l <= level; l++)
                CheckList(graph, n, l, nodes, problems);
        }

        int entry = graph.EntryNode;
        if (nodes > 0 && entry < 0) problems.Add("non-empty graph without entry point");
        if (entry >= 0 && graph.LevelOf(entry) != graph.TopLevel) problems.Add("entry point is not on the top level");

        var reached = new bool[nodes];
        var queue = new Queue<int>();
        if (entry >= 0)
        {
            reached[entry] = true;
            queue.Enqueue(entry);
        }
        while (queue.Count > 0)
        {
            int n = queue.Dequeue();
            for (int l = graph.LevelOf(n); l >= 0; l--)
                foreach (int m in graph.Neighbours(n, l))
                    if (!reached[m])
                    {
                        reached[m] = true;
                        queue.Enqueue(m);
                    }
        }
        int live = 0, reachable = 0;
        for (int n = 0; n < nodes; n++)
        {
            if (!vectors.IsLive(n)) continue;
            live++;
            if (reached[n]) reachable++;
        }
        return new GraphReport(nodes, live, reachable, problems);
    }

    private static void CheckList(HnswGraph graph, int node, int level, int nodes, List<string> problems)
    {
        var links = graph.Neighbours(node, level);
        if (links.Length > graph.Capacity(level)) problems.Add($"node {node} level {level}: {links.Length} links");
        var seen = new HashSet<int>();
        foreach (int m in links)
        {
            if ((uint)m >= (uint)nodes) problems.Add($"node {node} level {level}: link to missing node {m}");
            else if (m == node) problems.Add($"node {node} level {level}: self link");
            else if (!seen.Add(m)) problems.Add($"node {node} level {level}: duplicate link {m}");
            else if (graph.LevelOf(m) < level) problems.Add($"node {node} level {level}: link to {m} of level {graph.LevelOf(m)}");
        }
    }
}
