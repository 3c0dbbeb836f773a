using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// The min-heap every search keeps its candidates and results in (<see cref="ScoreHeap"/>): drained, it gives exactly
/// what was pushed, best first, for every size from 1 to 70 (past its first growth at 64); used as a bounded top-k
/// (pop the worst when full), it keeps the k best. The reference is a sort in the test.
/// </summary>
public sealed class ScoreHeapTests
{
    private static (float Score, int Node)[] Shuffled(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i => ((float)((i * 7919) % 1009), i)).OrderBy(_ => rng.Next()).ToArray();
    }

    [Fact]
    public void Draining_gives_everything_pushed_best_first_at_every_size()
    {
        var heap = new ScoreHeap();
        var drained = new List<(float Score, int Node)>();
        for (int n = 1; n <= 70; n++)
        {
            var items = Shuffled(n, seed: n);
            foreach (var (score, node) in items)
            {
                heap.Push(score, node);
            }

            Assert.Equal(n, heap.Count);
            Assert.Equal(items.Min(x => x.Score), heap.TopScore);
            heap.DrainDescending(drained);
            Assert.Equal(items.OrderByDescending(x => x.Score), drained);
            Assert.Equal(0, heap.Count);
        }
    }

    [Fact]
    public void Popping_the_worst_when_full_keeps_the_best_k()
    {
        const int k = 10;
        var heap = new ScoreHeap();
        var items = Shuffled(200, seed: 5);
        foreach (var (score, node) in items)
        {
            if (heap.Count < k)
            {
                heap.Push(score, node);
            }
            else if (score > heap.TopScore)
            {
                heap.Pop();
                heap.Push(score, node);
            }
        }

        var best = new List<(float Score, int Node)>();
        heap.DrainDescending(best);
        Assert.Equal(items.OrderByDescending(x => x.Score).Take(k), best);
    }
}
