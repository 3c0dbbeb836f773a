using System.Runtime.CompilerServices;

namespace RagService.Vectors.Hnsw.Internal;

/// <summary>Binary min-heap of (score, node); push negated scores to use it as a max-heap.</summary>
internal sealed class ScoreHeap
{
    private (float Score, int Node)[] _items = new (float, int)[64];
    private int _count;

    public int Count => _count;

    public float TopScore => _items[0].Score;

    public (float Score, int Node) Top => _items[0];

    public void Clear() => _count = 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(float score, int node)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, _count * 2);
        }

        int i = _count++;
        var items = _items;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (items[parent].Score <= score)
            {
                break;
            }

            items[i] = items[parent];
            i = parent;
        }
        items[i] = (score, node);
    }

    public (float Score, int Node) Pop()
    {
        var items = _items;
        var top = items[0];
        var last = items[--_count];
        int n = _count, i = 0;
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= n)
            {
                break;
            }

            if (child + 1 < n && items[child + 1].Score < items[child].Score)
            {
                child++;
            }

            if (items[child].Score >= last.Score)
            {
                break;
            }

            items[i] = items[child];
            i = child;
        }
        if (n > 0)
        {
            items[i] = last;
        }

        return top;
    }

    /// <summary>Empties the heap into <paramref name="target"/>, best (highest score) first.</summary>
    public void DrainDescending(List<(float Score, int Node)> target)
    {
        target.Clear();
        while (_count > 0)
        {
            target.Add(Pop());
        }

        target.Reverse();
    }
}
