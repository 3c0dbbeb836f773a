using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// The layered proximity graph of HNSW (Malkov &amp; Yashunin) over the slots of a <see cref="VectorCollection"/>.
/// Inserts run concurrently, each neighbour list guarded by a striped lock; searches read lists
/// without locks. A node is published (linked to by others) only after its own links are complete
/// on every level (see <see cref="Connect"/>). A list is rewritten element by element before its count is published, so a
/// concurrent reader sees a mix of valid node ids at worst, never garbage.
/// Over a quantised collection every comparison of the graph (building and searching) scores int8 codes: a query is
/// first prepared (<see cref="Quantization.ScalarQuantizer.Prepare"/>), a stored node's codes are decoded and prepared
/// when it is the query (<see cref="QueryOf"/>); duplicates are nodes with identical codes (<see cref="IsDuplicate"/>).
/// </summary>
internal sealed unsafe class HnswGraph
{
    private const int LockStripes = 4096;
    private const int MaxLevel = 30;
    private const long Empty = -1;

    /// <summary>Concurrent completions an insert can look back on; beyond it, the insert searches its neighbourhood again.</summary>
    private const int CompletionWindow = 1024;

    /// <summary>Nearest candidates of an insert that are checked for being its duplicate (the nearest one, plus rounding ties).</summary>
    private const int DuplicateCandidates = 2;

    /// <summary>
    /// Squared L2 distance below which a vector joins the duplicate group of its nearest node instead of becoming a
    /// node (<see cref="DuplicateGroups"/>): |a − b|² &lt; √D · 2^-23. The graph compares float32 inner products, and
    /// for unit vectors a·b = 1 − |a − b|²/2; a computed inner product of D terms carries a rounding error of about
    /// √D · 2^-24 (as does the norm of a vector normalised in float32). Below the bound, 1 − a·b is within that noise:
    /// the graph sees the two vectors at distance 0, as it sees identical ones, and every comparison between them
    /// (the neighbour heuristic, the greedy walk) is decided by rounding.
    /// </summary>
    private readonly float _duplicateDistanceSquared;

    private readonly VectorCollection _vectors;
    private readonly int _dimension;
    private readonly int _vectorBytes;
    private readonly bool _quantized;

    /// <summary>Floats of a query buffer: a prepared query when quantised, else unused.</summary>
    private readonly int _queryFloats;
    private readonly int _m;
    private readonly int _m0;
    private readonly int _efConstruction;
    private readonly double _levelMultiplier;
    private readonly ulong _seed;
    private readonly ChunkedArray<int[]?> _upper = new();
    private readonly Lock[] _nodeLocks = Enumerable.Range(0, LockStripes).Select(_ => new Lock()).ToArray();
    private readonly Lock _entryLock = new();
    private readonly CompletionLog _completions = new(CompletionWindow);
    private readonly DuplicateGroups _duplicates = new();
    private long _entry = Empty;

    public HnswGraph(VectorCollection vectors, int m, int efConstruction, int seed)
    {
        _vectors = vectors;
        _dimension = vectors.Dimension;
        _vectorBytes = vectors.GraphVectorBytes;
        _quantized = vectors.Quantized;
        _queryFloats = _quantized ? _dimension + 1 : 1;
        _m = m;
        _m0 = 2 * m;
        _efConstruction = efConstruction;
        _levelMultiplier = 1.0 / Math.Log(m);
        _seed = (ulong)seed;
        _duplicateDistanceSquared = DuplicateDistanceSquared(_dimension);
        if (vectors.HeaderInts < Level0RecordInts(m))
        {
            throw new ArgumentException("Vector records lack room for level-0 links.", nameof(vectors));
        }
    }

    public int M => _m;

    /// <summary>See <see cref="_duplicateDistanceSquared"/>.</summary>
    public static float DuplicateDistanceSquared(int dimension) => MathF.Sqrt(dimension) / (1 << 23);

    /// <summary>
    /// Greatest L2 distance of a duplicate group member from its node. Over int8 codes a member has the node's codes,
    /// so each coordinate differs by less than one step: at most the norm of the step vector.
    /// </summary>
    public float DuplicateReach => _quantized ? _vectors.Quantizer?.StepNorm ?? 0 : MathF.Sqrt(_duplicateDistanceSquared);

    /// <summary>Slots kept off the graph as duplicates of a node; a search that finds the node returns them too.</summary>
    public DuplicateGroups Duplicates => _duplicates;

    /// <summary>
    /// Test hook: called with the node once its own links are written and before any back link to it, i.e. while it is
    /// still invisible to other inserts. Lets a test hold an insert there and run another one meanwhile.
    /// </summary>
    internal Action<int>? BeforePublish { get; set; }

    /// <summary>Entry node, or -1 while the graph is empty.</summary>
    public int EntryNode => Volatile.Read(ref _entry) is var e && e == Empty ? -1 : (int)(e & 0xFFFFFFFF);

    public int TopLevel => Volatile.Read(ref _entry) is var e && e == Empty ? -1 : (int)(e >> 32);

    public int LevelOf(int node) => _upper[node] is { } links ? links.Length / (_m + 1) : 0;

    public int Capacity(int level) => level == 0 ? _m0 : _m;

    /// <summary>Ints in a node's level-0 record (count, then 2·M links), kept in the vector collection's slot header.</summary>
    public static int Level0RecordInts(int m) => 1 + 2 * m;

    public long AllocatedBytes => 0;

    /// <summary>Links a stored vector into the graph. The slot's vector must already be written.</summary>
    public void Insert(int node)
    {
        EnsureCapacity(node + 1);
        int level = RandomLevel(node);
        if (level > 0)
        {
            _upper[node] = new int[level * (_m + 1)];
        }

        long entry = Volatile.Read(ref _entry);
        if (entry == Empty || level > (int)(entry >> 32))
        {
            // Rare: this node may become the new entry point. Like hnswlib, hold the entry lock for the whole insert.
            lock (_entryLock)
            {
                entry = _entry;
                bool isNode = true;
                if (entry != Empty)
                {
                    isNode = Connect(node, level, entry);
                }
                else
                {
                    _completions.Complete(node, _completions.Position, SearchScratch.Current.Concurrent);
                }

                if (isNode && (entry == Empty || level > (int)(entry >> 32)))
                {
                    Volatile.Write(ref _entry, Pack(node, level));
                }
            }
            return;
        }
        Connect(node, level, entry);
    }

    /// <summary>Fills <c>scratch.Results</c> with up to <paramref name="ef"/> accepted nodes near the query.</summary>
    public void Search<TAcceptor>(float* query, int ef, TAcceptor acceptor, SearchScratch scratch, bool exhaustUntilFull)
        where TAcceptor : struct, INodeAcceptor
    {
        scratch.Results.Clear();
        long entry = Volatile.Read(ref _entry);
        if (entry == Empty)
        {
            return;
        }

        float* prepared = stackalloc float[_queryFloats];
        if (_quantized)
        {
            _vectors.Quantizer!.Prepare(query, prepared);
            query = prepared;
        }

        int current = (int)(entry & 0xFFFFFFFF);
        float currentScore = Score(query, current);
        for (int level = (int)(entry >> 32); level > 0; level--)
        {
            Greedy(query, ref current, ref currentScore, level);
        }

        SearchLayer(query, current, currentScore, ef, 0, acceptor, scratch, exhaustUntilFull);
    }

    /// <summary>The neighbour list of a node on a level (a live view; copy it to keep it).</summary>
    public ReadOnlySpan<int> Neighbours(int node, int level)
    {
        if (level == 0)
        {
            int* record = _vectors.Header(node);
            int count = Math.Min(Volatile.Read(ref *record), _m0);
            return new ReadOnlySpan<int>(record + 1, count);
        }
        int[]? upper = _upper[node];
        if (upper is null || upper.Length < level * (_m + 1))
        {
            return [];
        }

        int offset = (level - 1) * (_m + 1);
        int n = Math.Min(Volatile.Read(ref upper[offset]), _m);
        return new ReadOnlySpan<int>(upper, offset + 1, n);
    }

    /// <remarks>
    /// Invariant kept here (publish after link): a node becomes reachable only through the back links added in the
    /// second loop, and those start after the node's own links are written on every one of its levels. Until then no
    /// other insert or search can find the node, so (1) nobody descends into it on a level where it has no links yet
    /// (an insert that did would link only to it and be orphaned) and (2) nobody adds a back link to it that the
    /// node's own <see cref="WriteLinks"/> would then overwrite. After publication only <see cref="AddLink"/>
    /// changes a list, under that node's lock, so a concurrent insert's link is dropped only by the pruning heuristic,
    /// and every node a pruning drops (the new node included) is re-checked for an in-link afterwards
    /// (<see cref="RelinkOrphans"/>), by whichever insert did the dropping.
    /// </remarks>
    /// <returns>False when the vector joined a duplicate group instead of becoming a node (see <see cref="TryJoinDuplicate"/>).</returns>
    private bool Connect(int node, int level, long entry)
    {
        var scratch = SearchScratch.Current;
        long started = _completions.Position;
        float* buffer = stackalloc float[_queryFloats];
        float* query = QueryOf(node, buffer);
        int current = (int)(entry & 0xFFFFFFFF);
        int top = (int)(entry >> 32);
        float currentScore = Score(query, current);
        for (int l = top; l > level; l--)
        {
            Greedy(query, ref current, ref currentScore, l);
        }

        int linkedTop = Math.Min(level, top);
        var perLevel = scratch.SelectedPerLevel;
        while (perLevel.Count <= linkedTop)
        {
            perLevel.Add(new List<(float Score, int Node)>(_m0));
        }

        for (int l = linkedTop; l >= 0; l--)
        {
            // Keep expanding until efConstruction candidates are found (as hnswlib does): a fuller
            // candidate list gives the neighbour heuristic more to choose from.
            SearchLayer(query, current, currentScore, _efConstruction, l, default(AcceptAll), scratch, exhaustUntilFull: true);
            var ordered = scratch.Ordered;
            scratch.Results.DrainDescending(ordered);
            RemoveNode(ordered, node);
            var selected = perLevel[l];
            selected.Clear();
            if (ordered.Count == 0)
            {
                continue;
            }

            if (l == 0 && TryJoinDuplicate(node, ordered))
            {
                _upper[node] = null;
                return false;
            }

            current = ordered[0].Node;
            currentScore = ordered[0].Score;
            SelectByHeuristic(ordered, _m, selected);
        }

        for (int l = linkedTop; l >= 0; l--)
        {
            lock (NodeLock(node))
            {
                WriteLinks(node, l, perLevel[l]);
            }
        }

        BeforePublish?.Invoke(node);
        var dropped = new List<int>();
        for (int l = linkedTop; l >= 0; l--)
        {
            dropped.Clear();
            foreach (var (score, neighbour) in perLevel[l])
            {
                AddLink(neighbour, node, score, l, scratch, dropped);
            }

            dropped.Add(node);
            RelinkOrphans(dropped, l, scratch);
        }

        LinkConcurrentInserts(node, linkedTop, started, scratch);
        return true;
    }

    /// <summary>
    /// Copies of one vector (boilerplate chunks embed identically) are the degenerate case of HNSW: all distances
    /// among them are 0, so the heuristic keeps copies in every copy's list, lists fill with copies only, and the group
    /// becomes a clique with no way out, which traps any search that enters it (at its entry point, every search). A
    /// vector within <see cref="_duplicateDistanceSquared"/> of its nearest node therefore joins that node's group and
    /// stays off the graph: the node finds it for every search. Deleted nodes still serve (their group may be live).
    /// Copies inserted at the same moment cannot see each other and may each become a node, which the graph handles.
    /// </summary>
    private bool TryJoinDuplicate(int node, List<(float Score, int Node)> nearestFirst)
    {
        for (int i = 0; i < Math.Min(DuplicateCandidates, nearestFirst.Count); i++)
        {
            int candidate = nearestFirst[i].Node;
            if (IsDuplicate(node, candidate))
            {
                lock (NodeLock(candidate))
                {
                    _duplicates.Join(candidate, node);
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the graph cannot tell the two apart: float vectors within <see cref="_duplicateDistanceSquared"/>, or, over
    /// int8, identical codes (every score the graph computes is then the same for both; comparing codes also keeps
    /// building off the memory-mapped float vectors).
    /// </summary>
    private bool IsDuplicate(int node, int candidate) => _quantized
        ? new ReadOnlySpan<byte>(_vectors.Codes(node), _dimension).SequenceEqual(new ReadOnlySpan<byte>(_vectors.Codes(candidate), _dimension))
        : VectorMath.SquaredDistance(_vectors.Vector(node), _vectors.Vector(candidate), _dimension) < _duplicateDistanceSquared;

    /// <summary>
    /// Inserts that run at the same time cannot see each other: each searches before the other is published. When
    /// near-identical vectors arrive together (the first chunks of a new document, the first points of a new cluster),
    /// each links only to older, distant nodes, and the later members of the group, searching inside the group, never
    /// find the one left out: it keeps in-links, so no reachability check flags it, yet a search for its own vector
    /// misses it at the default ef. A one-thread build has no such blind spot, since the later of two inserts sees the
    /// earlier. So when an insert completes, it considers every insert that completed while it ran (each overlapping
    /// pair is considered once, by the one that completes last) and links the two both ways where the neighbour
    /// heuristic would have kept the other among its own selection. Past the log's window it searches again instead.
    /// </summary>
    private void LinkConcurrentInserts(int node, int linkedTop, long started, SearchScratch scratch)
    {
        var concurrent = scratch.Concurrent;
        bool complete = _completions.Complete(node, started, concurrent);
        var dropped = new List<int>();
        float* buffer = stackalloc float[_queryFloats];
        float* query = QueryOf(node, buffer);
        for (int l = linkedTop; l >= 0; l--)
        {
            dropped.Clear();
            var selected = scratch.SelectedPerLevel[l];
            if (!complete && selected.Count > 0)
            {
                LinkBothWaysToFreshNeighbours(node, l, selected[0], scratch, dropped);
            }

            foreach (int other in concurrent)
            {
                if (other == node || LevelOf(other) < l)
                {
                    continue;
                }

                float score = Score(query, other);
                if (HeuristicWouldKeep(selected, other, score, _m))
                {
                    AddLink(node, other, score, l, scratch, dropped);
                    AddLink(other, node, score, l, scratch, dropped);
                }
            }

            RelinkOrphans(dropped, l, scratch);
        }
    }

    /// <summary>Whether <see cref="SelectByHeuristic"/> over <paramref name="selected"/> plus the candidate would keep the candidate.</summary>
    private bool HeuristicWouldKeep(List<(float Score, int Node)> selected, int candidate, float score, int max)
    {
        float* buffer = stackalloc float[_queryFloats];
        float* v = QueryOf(candidate, buffer);
        int better = 0;
        foreach (var chosen in selected)
        {
            if (chosen.Score < score)
            {
                continue;
            }

            better++;
            if (chosen.Node == candidate || Score(v, chosen.Node) > score)
            {
                return false;
            }
        }

        return better < max;
    }

    /// <summary>Searches the node's neighbourhood again and links it both ways to the heuristic's choice.</summary>
    private void LinkBothWaysToFreshNeighbours(int node, int level, (float Score, int Node) start, SearchScratch scratch, List<int> dropped)
    {
        float* buffer = stackalloc float[_queryFloats];
        SearchLayer(QueryOf(node, buffer), start.Node, start.Score, _efConstruction, level, default(AcceptAll), scratch, exhaustUntilFull: true);
        var ordered = scratch.Ordered;
        scratch.Results.DrainDescending(ordered);
        RemoveNode(ordered, node);
        var selected = scratch.PruneSelected;
        SelectByHeuristic(ordered, _m, selected);
        foreach (var (score, neighbour) in selected.ToArray())
        {
            AddLink(node, neighbour, score, level, scratch, dropped);
            AddLink(neighbour, node, score, level, scratch, dropped);
        }
    }

    /// <summary>
    /// Re-links every node in <paramref name="pending"/> that may have lost its last in-link on the level. A node
    /// loses an in-link only when a full list is pruned (<see cref="AddLink"/>), and every pruning reports the nodes it
    /// dropped here, after releasing its lock. The check (<see cref="HasInLinkFromOwnNeighbours"/>) runs after the
    /// drop, so whichever of several concurrent prunings drops a node's last in-link sees that no in-link is left:
    /// a check made once, right after an insert's back links, would miss an in-link pruned away later by a concurrent
    /// insert. Re-linking can prune other lists in turn; those drops are queued here too.
    /// </summary>
    private void RelinkOrphans(List<int> pending, int level, SearchScratch scratch)
    {
        // Bound on re-links per call, so a node the heuristic keeps rejecting cannot loop forever.
        int budget = 4 * _m0;
        while (pending.Count > 0 && budget > 0)
        {
            int orphan = pending[^1];
            pending.RemoveAt(pending.Count - 1);
            if (HasInLinkFromOwnNeighbours(orphan, level, out int start))
            {
                continue;
            }

            if (start < 0)
            {
                continue;   // no links of its own on this level: nothing to search from
            }

            float startScore = ScoreBetween(orphan, start);
            budget--;
            LinkFromFreshNeighbours(orphan, level, (startScore, start), scratch, pending);
        }
    }

    /// <summary>
    /// Two near-identical vectors inserted at the same time cannot see each other, and the pruning of a full
    /// neighbour list keeps only one of them; the other can end with no back link at all (single-threaded, the later
    /// one would have linked to the earlier). Searching again once both are published finds the twin, whose list
    /// usually has room, so the node gets an in-link instead of staying unreachable.
    /// </summary>
    private void LinkFromFreshNeighbours(int node, int level, (float Score, int Node) start, SearchScratch scratch, List<int> dropped)
    {
        float* buffer = stackalloc float[_queryFloats];
        float* query = QueryOf(node, buffer);
        SearchLayer(query, start.Node, start.Score, _efConstruction, level, default(AcceptAll), scratch, exhaustUntilFull: true);
        var ordered = scratch.Ordered;
        scratch.Results.DrainDescending(ordered);
        RemoveNode(ordered, node);
        var selected = scratch.PruneSelected;
        SelectByHeuristic(ordered, _m, selected);
        var candidates = selected.ToArray();
        foreach (var (score, neighbour) in candidates)
        {
            AddLink(neighbour, node, score, level, scratch, dropped);
        }
    }

    /// <summary>
    /// Whether one of the node's own neighbours on the level links back to it (a sufficient sign of an in-link; in-links
    /// from elsewhere are not looked for, so a false answer only costs an extra re-link). Each list is read under its
    /// lock, so a pruning that finished before this call is seen. <paramref name="start"/> is one of the node's
    /// neighbours, or -1 if it has none.
    /// </summary>
    private bool HasInLinkFromOwnNeighbours(int node, int level, out int start)
    {
        start = -1;
        int[] own;
        lock (NodeLock(node))
        {
            own = Neighbours(node, level).ToArray();
        }

        if (own.Length == 0)
        {
            return false;
        }

        start = own[0];
        foreach (int neighbour in own)
        {
            lock (NodeLock(neighbour))
            {
                if (Neighbours(neighbour, level).Contains(node))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Adds a back link; a full list is pruned with the same heuristic as a new node's. Nodes the pruning drops
    /// (possibly <paramref name="newNeighbour"/> itself) are appended to <paramref name="dropped"/>.
    /// </summary>
    private void AddLink(int node, int newNeighbour, float score, int level, SearchScratch scratch, List<int> dropped)
    {
        int cap = Capacity(level);
        lock (NodeLock(node))
        {
            ReadOnlySpan<int> current = Neighbours(node, level);
            if (current.Contains(newNeighbour))
            {
                return;
            }

            if (current.Length < cap)
            {
                Span<int> record = LinkRecord(node, level);
                record[current.Length + 1] = newNeighbour;
                Volatile.Write(ref record[0], current.Length + 1);
                return;
            }
            var candidates = scratch.PruneCandidates;
            candidates.Clear();
            candidates.Add((score, newNeighbour));
            float* buffer = stackalloc float[_queryFloats];
            float* self = QueryOf(node, buffer);
            foreach (int other in current)
            {
                candidates.Add((Score(self, other), other));
            }

            candidates.Sort(ByScoreDescending);
            var kept = scratch.PruneSelected;
            SelectByHeuristic(candidates, cap, kept);
            foreach (var (_, candidate) in candidates)
            {
                if (!ContainsNode(kept, candidate))
                {
                    dropped.Add(candidate);
                }
            }

            WriteLinks(node, level, kept);
        }
    }

    /// <summary>
    /// Keeps a candidate only if it is closer to the base than to every candidate already kept,
    /// which spreads links across directions instead of into one cluster.
    /// </summary>
    private void SelectByHeuristic(List<(float Score, int Node)> orderedBestFirst, int max, List<(float Score, int Node)> selected)
    {
        selected.Clear();
        if (orderedBestFirst.Count <= max)
        {
            selected.AddRange(orderedBestFirst);
            return;
        }
        float* buffer = stackalloc float[_queryFloats];
        foreach (var candidate in orderedBestFirst)
        {
            if (selected.Count >= max)
            {
                break;
            }

            float* v = QueryOf(candidate.Node, buffer);
            bool keep = true;
            foreach (var chosen in selected)
            {
                if (Score(v, chosen.Node) > candidate.Score)
                {
                    keep = false;
                    break;
                }
            }
            if (keep)
            {
                selected.Add(candidate);
            }
        }
    }

    private void WriteLinks(int node, int level, List<(float Score, int Node)> links)
    {
        Span<int> record = LinkRecord(node, level);
        int n = Math.Min(links.Count, record.Length - 1);
        // Shrink the visible count first so a reader never reads past what is being rewritten.
        if (n < record[0])
        {
            Volatile.Write(ref record[0], n);
        }

        for (int i = 0; i < n; i++)
        {
            record[i + 1] = links[i].Node;
        }

        Volatile.Write(ref record[0], n);
    }

    /// <summary>Count followed by the link slots of one node on one level.</summary>
    private Span<int> LinkRecord(int node, int level)
    {
        if (level == 0)
        {
            return new Span<int>(_vectors.Header(node), 1 + _m0);
        }

        return _upper[node].AsSpan((level - 1) * (_m + 1), _m + 1);
    }

    private void Greedy(float* query, ref int current, ref float currentScore, int level)
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (int n in Neighbours(current, level))
            {
                float s = Score(query, n);
                if (s > currentScore)
                {
                    currentScore = s;
                    current = n;
                    changed = true;
                }
            }
        }
    }

    private void SearchLayer<TAcceptor>(float* query, int entry, float entryScore, int ef, int level,
        TAcceptor acceptor, SearchScratch scratch, bool exhaustUntilFull)
        where TAcceptor : struct, INodeAcceptor
    {
        var visited = scratch.Visited;
        var candidates = scratch.Candidates;
        var results = scratch.Results;
        visited.Reset(_vectors.Capacity);
        candidates.Clear();
        results.Clear();

        visited.TryVisit(entry);
        candidates.Push(-entryScore, entry);
        float lowerBound = float.NegativeInfinity;
        if (acceptor.Accept(entry))
        {
            results.Push(entryScore, entry);
            lowerBound = entryScore;
        }

        int* fresh = stackalloc int[_m0];
        while (candidates.Count > 0)
        {
            var (negScore, node) = candidates.Top;
            if (-negScore < lowerBound && (results.Count >= ef || !exhaustUntilFull))
            {
                break;
            }

            candidates.Pop();
            if (level == 0 && candidates.Count > 0 && Sse.IsSupported)
            {
                Sse.Prefetch0(_vectors.Header(candidates.Top.Node));
            }

            ReadOnlySpan<int> links = Neighbours(node, level);
            int freshCount = 0;
            foreach (int n in links)
            {
                if (visited.TryVisit(n))
                {
                    fresh[freshCount++] = n;
                }
            }

            if (freshCount > 0)
            {
                PrefetchVector(fresh[0]);
            }

            for (int i = 0; i < freshCount; i++)
            {
                int n = fresh[i];
                // Fetch the next vector while this one is scored: the graph walk is bound by memory latency.
                if (i + 1 < freshCount)
                {
                    PrefetchVector(fresh[i + 1]);
                }

                float s = Score(query, n);
                if (results.Count < ef || s > lowerBound)
                {
                    candidates.Push(-s, n);
                    if (acceptor.Accept(n))
                    {
                        results.Push(s, n);
                        if (results.Count > ef)
                        {
                            results.Pop();
                        }

                        lowerBound = results.TopScore;
                    }
                }
            }
        }
    }

    private void PrefetchVector(int node)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        byte* p = _vectors.GraphVector(node);
        for (int offset = 0; offset < _vectorBytes; offset += 64)
        {
            Sse.Prefetch0(p + offset);
        }
    }

    /// <summary>Score of a query (prepared, when quantised) against a node, as the graph compares them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Score(float* query, int node) =>
        _quantized ? _vectors.Quantizer!.Score(query, _vectors.Codes(node)) : VectorMath.Dot(query, _vectors.Vector(node), _dimension);

    /// <summary>
    /// A stored node as a query: its float vector, or its decoded codes prepared in <paramref name="buffer"/>
    /// (<see cref="_queryFloats"/> floats).
    /// </summary>
    private float* QueryOf(int node, float* buffer)
    {
        if (!_quantized)
        {
            return _vectors.Vector(node);
        }

        _vectors.Quantizer!.PrepareStored(_vectors.Codes(node), buffer);
        return buffer;
    }

    private float ScoreBetween(int a, int b)
    {
        float* buffer = stackalloc float[_queryFloats];
        return Score(QueryOf(a, buffer), b);
    }

    private void EnsureCapacity(int nodes)
    {
        _upper.EnsureCapacity(nodes);
        _duplicates.EnsureCapacity(nodes);
    }

    private int RandomLevel(int node)
    {
        // SplitMix64 of (seed, slot): the level depends only on the slot, so builds are reproducible
        // whatever the thread interleaving.
        ulong z = _seed * 0x9E3779B97F4A7C15UL + (ulong)node + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        double u = ((z >> 11) + 1) * (1.0 / (1UL << 53));
        return Math.Min((int)(-Math.Log(u) * _levelMultiplier), MaxLevel);
    }

    private static bool ContainsNode(List<(float Score, int Node)> list, int node)
    {
        foreach (var (_, n) in list)
        {
            if (n == node)
            {
                return true;
            }
        }

        return false;
    }

    private static void RemoveNode(List<(float Score, int Node)> list, int node)
    {
        for (int i = list.Count - 1; i >= 0; i--)
        {
            if (list[i].Node == node)
            {
                list.RemoveAt(i);
            }
        }
    }

    private Lock NodeLock(int node) => _nodeLocks[node & (LockStripes - 1)];

    private static long Pack(int node, int level) => ((long)level << 32) | (uint)node;

    private static readonly Comparison<(float Score, int Node)> ByScoreDescending = (a, b) => b.Score.CompareTo(a.Score);

    internal Span<int> Level0Record(int node) => new(_vectors.Header(node), 1 + _m0);

    internal int[]? UpperLinks(int node) => _upper[node];

    internal void RestoreAfterLoad(int nodes, int entryNode, int topLevel, Func<int, int[]?> upperOf, Func<int, int> nextDuplicateOf)
    {
        EnsureCapacity(nodes);
        for (int n = 0; n < nodes; n++)
        {
            _upper[n] = upperOf(n);
            _duplicates.Restore(n, nextDuplicateOf(n));
        }

        _entry = entryNode < 0 ? Empty : Pack(entryNode, topLevel);
    }
}
