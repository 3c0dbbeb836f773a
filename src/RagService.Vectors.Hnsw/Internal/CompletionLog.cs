namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// The nodes whose inserts completed, in completion order, over a bounded window. An insert notes the
/// <see cref="Position"/> before it searches and, when it completes, learns which inserts completed in between:
/// those ran concurrently with it, and its search may not have seen them.
/// </summary>
internal sealed class CompletionLog
{
    private readonly int[] _ring;
    private readonly Lock _lock = new();
    private long _next;

    public CompletionLog(int window)
    {
        _ring = new int[window];
    }

    public long Position
    {
        get
        {
            lock (_lock)
            {
                return _next;
            }
        }
    }

    /// <summary>
    /// Records <paramref name="node"/> as completed and fills <paramref name="completedSince"/> with the nodes completed
    /// at or after <paramref name="from"/> (before this one). False when more completed than the window holds: the list
    /// then has only the latest ones.
    /// </summary>
    public bool Complete(int node, long from, List<int> completedSince)
    {
        completedSince.Clear();
        lock (_lock)
        {
            long first = Math.Max(from, _next - _ring.Length);
            for (long s = first; s < _next; s++)
            {
                completedSince.Add(_ring[s % _ring.Length]);
            }

            _ring[_next % _ring.Length] = node;
            _next++;
            return first == from;
        }
    }
}
