using System.Diagnostics;
using RagService.Core.Models;
using RagService.Onnx;

namespace RagService.Vectors.Hnsw.Bench.RealText;

/// <summary>
/// HNSW on real text embeddings: chunks of the shared QA sets embedded by all-MiniLM-L6-v2, inserted in document
/// order (neighbouring chunks are similar, the case that exposed the parallel-insert race) at several thread counts.
/// Prints build time, graph health, recall against exact search at top 1/10/100 and QPS, next to hnswlib on the same
/// vectors in the same order; then the measurements behind EfSearchPerResult and ExactSearchThreshold.
/// </summary>
internal static class RealTextBench
{
    private const int TruthDepth = 100;
    private static readonly int[] Ks = [1, 10, 100];
    private static readonly VectorIndexOptions Defaults = new();

    /// <summary>The ef our index uses when a search passes none (hnswlib gets the same).</summary>
    private static int DefaultEf(int k) => Math.Max(Defaults.EfSearch, Defaults.EfSearchPerResult * k);

    public static int Run(RealTextOptions o)
    {
        var embedder = LoadEmbedder(o);
        foreach (string file in o.DataFiles)
        {
            var corpus = QaCorpus.Load(file, o.ChunkSize, o.Questions);
            Console.Error.WriteLine($"[bench] {corpus.Name}: {corpus.Chunks.Count} chunks, {corpus.Questions.Count} questions");
            var chunks = EmbeddingCache.Get(Path.Combine(o.CacheDirectory, $"{corpus.Name}.chunks.f32"), embedder, corpus.Chunks, EmbeddingPurpose.Passage);
            var queries = EmbeddingCache.Get(Path.Combine(o.CacheDirectory, $"{corpus.Name}.questions.f32"), embedder, corpus.Questions, EmbeddingPurpose.Query);
            if (o.FixturePath is not null)
            {
                RealTextFixture.Write(o.FixturePath, chunks.Take(o.FixtureChunks).ToArray(), queries.Take(o.FixtureQueries).ToArray());
                Console.Error.WriteLine($"[bench] fixture written to {o.FixturePath}");
                return 0;
            }
            var truth = ExactTopK(chunks, queries, TruthDepth);
            Console.WriteLine($"\n## {corpus.Name}: {chunks.Length} chunks (document order), {queries.Length} questions, D={chunks[0].Length}, " +
                $"M={o.M} efConstruction={o.EfConstruction}, default ef = max({Defaults.EfSearch}, {Defaults.EfSearchPerResult}·k); load average {LoadAverage()}\n");
            BuildTable(o, chunks, queries, truth);
            EfPerResultTable(o, chunks, queries, truth);
            ExactThresholdTable(o, chunks, queries);
        }
        return 0;
    }

    private static void BuildTable(RealTextOptions o, float[][] chunks, float[][] queries, long[][] truth)
    {
        Console.WriteLine("| library | build threads | build s (wall) | unreachable live nodes | level-0 in-degree 0 | level-0 unreachable | recall@1 | recall@10 | recall@100 | QPS k=10 | QPS k=100 |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int threads in o.Threads)
        {
            var sw = Stopwatch.StartNew();
            using var index = Build(o, chunks, threads, new VectorIndexOptions());
            double seconds = sw.Elapsed.TotalSeconds;
            var health = index.CheckGraph();
            var recalls = Ks.Select(k => Recall(q => index.Search(queries[q], k), queries.Length, truth, k)).ToArray();
            double qps10 = Qps(q => index.Search(queries[q], 10), queries.Length);
            double qps100 = Qps(q => index.Search(queries[q], 100), queries.Length);
            Console.WriteLine($"| RagService HNSW | {threads} | {seconds:F2} | {health.UnreachableLiveNodes} | {health.Levels[0].InDegreeZero} | {health.Levels[0].Unreachable} | " +
                $"{recalls[0]:F4} | {recalls[1]:F4} | {recalls[2]:F4} | {qps10:F0} | {qps100:F0} |");
        }
        if (!o.RunHnswlib)
        {
            return;
        }

        foreach (var r in HnswlibInOrder.Run(o, chunks, queries, truth, Ks.ToDictionary(k => k, DefaultEf)))
        {
            Console.WriteLine($"| hnswlib 0.6.2 | {r.Threads} | {r.BuildSeconds:F2} | n/a | n/a | n/a | {r.Recall[1]:F4} | {r.Recall[10]:F4} | {r.Recall[100]:F4} | {r.Qps[10]:F0} | {r.Qps[100]:F0} |");
        }
    }

    /// <summary>
    /// Why ef = max(EfSearch, c·k): recall of the deep (k = 100) list and its cost for several c, and recall@10 for
    /// several floors (EfSearch), on a 1-thread build.
    /// </summary>
    private static void EfPerResultTable(RealTextOptions o, float[][] chunks, float[][] queries, long[][] truth)
    {
        using var index = Build(o, chunks, 1, new VectorIndexOptions());
        Console.WriteLine("\n| ef (k = 10) | recall@10 | QPS k=10 |");
        Console.WriteLine("|---:|---:|---:|");
        foreach (int ef in o.EfFloors)
        {
            double r = Recall(q => index.Search(queries[q], 10, (Func<long, bool>?)null, ef), queries.Length, truth, 10);
            Console.WriteLine($"| {ef} | {r:F4} | {Qps(q => index.Search(queries[q], 10, (Func<long, bool>?)null, ef), queries.Length):F0} |");
        }
        Console.WriteLine($"\n| c (ef = max({Defaults.EfSearch}, c·k)) | recall@10 | QPS k=10 | recall@100 | QPS k=100 |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (int c in o.EfPerResult)
        {
            int Ef(int k) => Math.Max(Defaults.EfSearch, c * k);
            double r10 = Recall(q => index.Search(queries[q], 10, (Func<long, bool>?)null, Ef(10)), queries.Length, truth, 10);
            double r100 = Recall(q => index.Search(queries[q], 100, (Func<long, bool>?)null, Ef(100)), queries.Length, truth, 100);
            double q10 = Qps(q => index.Search(queries[q], 10, (Func<long, bool>?)null, Ef(10)), queries.Length);
            double q100 = Qps(q => index.Search(queries[q], 100, (Func<long, bool>?)null, Ef(100)), queries.Length);
            Console.WriteLine($"| {c} | {r10:F4} | {q10:F0} | {r100:F4} | {q100:F0} |");
        }
    }

    /// <summary>Where an exact scan stops being cheaper than the graph: both on the first N chunks, k = 10 and 100.</summary>
    private static void ExactThresholdTable(RealTextOptions o, float[][] chunks, float[][] queries)
    {
        Console.WriteLine("\n| vectors | exact µs/query k=10 | graph µs/query k=10 | exact µs/query k=100 | graph µs/query k=100 |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        foreach (int n in o.ExactSizes.Where(n => n <= chunks.Length))
        {
            var part = chunks[..n];
            using var graph = Build(o, part, 1, new VectorIndexOptions());
            using var exact = new ExactIndex(part[0].Length);
            exact.UpsertMany(n, i => i, i => part[i], 1);
            double Micro(Func<int, IReadOnlyList<NeighbourHit>> search) => 1e6 / Qps(search, queries.Length);
            Console.WriteLine($"| {n} | {Micro(q => exact.Search(queries[q], 10)):F0} | {Micro(q => graph.Search(queries[q], 10)):F0} | " +
                $"{Micro(q => exact.Search(queries[q], 100)):F0} | {Micro(q => graph.Search(queries[q], 100)):F0} |");
        }
    }

    private static HnswIndex Build(RealTextOptions o, float[][] chunks, int threads, VectorIndexOptions defaults)
    {
        var index = new HnswIndex(chunks[0].Length, defaults with
        {
            M = o.M, EfConstruction = o.EfConstruction, ExactSearchThreshold = 0, AutoCompactDeletedRatio = 0, BuildThreads = threads,
        });
        index.UpsertMany(chunks.Length, i => i, i => chunks[i], threads);
        return index;
    }

    private static long[][] ExactTopK(float[][] chunks, float[][] queries, int k)
    {
        using var exact = new ExactIndex(chunks[0].Length);
        exact.UpsertMany(chunks.Length, i => i, i => chunks[i], 1);
        return queries.Select(q => exact.Search(q, Math.Min(k, chunks.Length)).Select(h => h.Id).ToArray()).ToArray();
    }

    /// <summary>Mean over queries of |found ∩ exact top k| / k.</summary>
    private static double Recall(Func<int, IReadOnlyList<NeighbourHit>> search, int queries, long[][] truth, int k)
    {
        long hits = 0, wanted = 0;
        for (int q = 0; q < queries; q++)
        {
            var expected = truth[q].Take(k).ToHashSet();
            hits += search(q).Count(h => expected.Contains(h.Id));
            wanted += expected.Count;
        }
        return (double)hits / wanted;
    }

    /// <summary>Single-thread queries per second: one warm-up pass, then the median of at least 3 passes totalling ≥ 1 s.</summary>
    private static double Qps(Func<int, IReadOnlyList<NeighbourHit>> search, int queries)
    {
        for (int q = 0; q < queries; q++)
        {
            search(q);
        }

        var times = new List<double>();
        while (times.Count < 3 || (times.Sum() < 1.0 && times.Count < 20))
        {
            var sw = Stopwatch.StartNew();
            for (int q = 0; q < queries; q++)
            {
                search(q);
            }

            times.Add(sw.Elapsed.TotalSeconds);
        }
        return queries / times.Order().ElementAt(times.Count / 2);
    }

    private static ITextEmbedder LoadEmbedder(RealTextOptions o)
    {
        string dir = MiniLmWeights.EnsureExtracted(o.ModelDirectory);
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions
        {
            ModelDirectory = dir, ModelId = "all-MiniLM-L6-v2", MaxSequenceLength = 256, Pooling = "mean",
        });
        Console.Error.WriteLine($"[bench] embedder: {status.State} {status.Detail}");
        return embedder ?? throw new InvalidOperationException($"embedder {dir}: {status.Detail}");
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
