namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Structural check of a graph: link counts within capacity, links to existing nodes only, no self or duplicate
/// links, links on a level only to nodes that have that level; which live nodes a walk over all levels from the
/// entry point reaches; and per level the nodes no other node links to and the nodes a walk over that level alone
/// does not reach. Slots kept off the graph as duplicates of a node (<see cref="DuplicateGroups"/>) are not nodes:
/// they count as reached when their node is, and a link to one is a defect. Exact on a quiescent graph; on one being
/// written it is a snapshot that may count a node whose insert is still running.
/// </summary>
internal static class GraphConsistency
{
    public static GraphHealth Inspect(IndexState state)
    {
        var graph = state.Graph ?? throw new InvalidOperationException("Not an HNSW index.");
        var vectors = state.Vectors;
        int nodes = vectors.SlotCount;
        var problems = new List<string>();
        int entry = graph.EntryNode;
        int top = Math.Max(graph.TopLevel, 0);
        var inDegree = new int[top + 1][];
        for (int l = 0; l <= top; l++)
        {
            inDegree[l] = new int[nodes];
        }

        var isMember = DuplicateMembers(graph, nodes, problems);
        var levelNodes = new int[top + 1];
        for (int n = 0; n < nodes; n++)
        {
            if (isMember[n])
            {
                if (graph.LevelOf(n) > 0 || graph.Neighbours(n, 0).Length > 0)
                {
                    problems.Add($"duplicate group member {n} has links");
                }

                continue;
            }

            int level = graph.LevelOf(n);
            for (int l = 0; l <= level; l++)
            {
                if (l <= top)
                {
                    levelNodes[l]++;
                }

                CheckList(graph, n, l, nodes, isMember, problems, l <= top ? inDegree[l] : null);
            }
        }

        if (nodes > 0 && entry < 0)
        {
            problems.Add("non-empty graph without entry point");
        }

        if (entry >= 0 && graph.LevelOf(entry) != graph.TopLevel)
        {
            problems.Add("entry point is not on the top level");
        }

        var levels = new List<GraphLevelHealth>();
        for (int l = 0; l <= top && nodes > 0; l++)
        {
            var reachedOnLevel = Walk(graph, entry, nodes, l, l);
            int orphans = 0, unreachable = 0;
            for (int n = 0; n < nodes; n++)
            {
                if (graph.LevelOf(n) < l || isMember[n])
                {
                    continue;
                }

                if (inDegree[l][n] == 0 && n != entry)
                {
                    orphans++;
                }

                if (!reachedOnLevel[n])
                {
                    unreachable++;
                }
            }
            levels.Add(new GraphLevelHealth(l, levelNodes[l], orphans, unreachable));
        }

        var reached = Walk(graph, entry, nodes, 0, int.MaxValue);
        for (int n = 0; n < nodes; n++)
        {
            if (reached[n] && !isMember[n])
            {
                for (int m = graph.Duplicates.Next(n), steps = 0; (uint)m < (uint)nodes && steps < nodes; m = graph.Duplicates.Next(m), steps++)
                {
                    reached[m] = true;
                }
            }
        }

        int live = 0, unreachableLive = 0;
        for (int n = 0; n < nodes; n++)
        {
            if (!vectors.IsLive(n))
            {
                continue;
            }

            live++;
            if (!reached[n])
            {
                unreachableLive++;
            }
        }
        return new GraphHealth(nodes, live, unreachableLive, levels, problems) { DuplicateGroupMembers = isMember.Count(m => m) };
    }

    /// <summary>Nodes reached from the entry point following links on the levels lowest..highest.</summary>
    private static bool[] Walk(HnswGraph graph, int entry, int nodes, int lowest, int highest)
    {
        var reached = new bool[nodes];
        if (entry < 0 || entry >= nodes)
        {
            return reached;
        }

        var queue = new Queue<int>();
        reached[entry] = true;
        queue.Enqueue(entry);
        while (queue.Count > 0)
        {
            int n = queue.Dequeue();
            for (int l = Math.Min(graph.LevelOf(n), highest); l >= lowest; l--)
            {
                foreach (int m in graph.Neighbours(n, l))
                {
                    if ((uint)m < (uint)nodes && !reached[m])
                    {
                        reached[m] = true;
                        queue.Enqueue(m);
                    }
                }
            }
        }
        return reached;
    }

    /// <summary>Slots that are members of a node's duplicate group (every slot some other slot's chain points to).</summary>
    private static bool[] DuplicateMembers(HnswGraph graph, int nodes, List<string> problems)
    {
        var isMember = new bool[nodes];
        for (int n = 0; n < nodes; n++)
        {
            int next = graph.Duplicates.Next(n);
            if (next < 0)
            {
                continue;
            }

            if (next >= nodes || isMember[next])
            {
                problems.Add($"slot {n}: duplicate group link to {next}");
                continue;
            }

            isMember[next] = true;
        }
        return isMember;
    }

    private static void CheckList(HnswGraph graph, int node, int level, int nodes, bool[] isMember, List<string> problems, int[]? inDegree)
    {
        var links = graph.Neighbours(node, level);
        if (links.Length > graph.Capacity(level))
        {
            problems.Add($"node {node} level {level}: {links.Length} links");
        }

        var seen = new HashSet<int>();
        foreach (int m in links)
        {
            if ((uint)m >= (uint)nodes)
            {
                problems.Add($"node {node} level {level}: link to missing node {m}");
            }
            else if (isMember[m])
            {
                problems.Add($"node {node} level {level}: link to duplicate group member {m}");
            }
            else if (m == node)
            {
                problems.Add($"node {node} level {level}: self link");
            }
            else if (!seen.Add(m))
            {
                problems.Add($"node {node} level {level}: duplicate link {m}");
            }
            else if (graph.LevelOf(m) < level)
            {
                problems.Add($"node {node} level {level}: link to {m} of level {graph.LevelOf(m)}");
            }
            else if (inDegree is not null)
            {
                inDegree[m]++;
            }
        }
    }
}
