namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Generation-stamped visited marks: starting a new search is O(1), not a clear. Marks are 16-bit to
/// keep the array small in cache; it is cleared once every 65,534 searches.
/// </summary>
internal sealed class VisitedSet
{
    private ushort[] _marks = [];
    private int _generation;

    public void Reset(int capacity)
    {
        if (_marks.Length < capacity)
        {
            _marks = new ushort[Math.Max(capacity, _marks.Length + _marks.Length / 2)];
            _generation = 0;
        }
        if (++_generation == ushort.MaxValue)
        {
            Array.Clear(_marks);
            _generation = 1;
        }
    }

    /// <summary>True the first time a node is seen in this search.</summary>
    public bool TryVisit(int node)
    {
        // A node appended after this search started may lie beyond the marks; skipping it is harmless.
        if ((uint)node >= (uint)_marks.Length)
        {
            return false;
        }

        ref ushort mark = ref _marks[node];
        if (mark == _generation)
        {
            return false;
        }

        mark = (ushort)_generation;
        return true;
    }
}
