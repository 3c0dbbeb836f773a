using System.Runtime.ExceptionServices;

namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Runs body(0..count-1) on a fixed number of dedicated threads that pull the next index from a
/// shared counter (the calling thread is one of them); rethrows the first failure after all stop.
/// </summary>
internal static class ParallelWork
{
    public static void Run(int count, int threads, Action<int> body)
    {
        int next = -1;
        ExceptionDispatchInfo? failure = null;
        void Work()
        {
            try
            {
                for (int i = Interlocked.Increment(ref next); i < count && failure is null; i = Interlocked.Increment(ref next))
                {
                    body(i);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            }
        }
        int workers = Math.Max(1, Math.Min(threads, count));
        var pool = Enumerable.Range(0, workers - 1).Select(_ => new Thread(Work) { IsBackground = true }).ToList();
        pool.ForEach(t => t.Start());
        Work();
        pool.ForEach(t => t.Join());
        failure?.Throw();
    }
}
