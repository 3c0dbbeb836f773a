using System.Diagnostics;
using System.Globalization;
using RagService.Cli.Local;
using RagService.Core.Chunking;
using RagService.Core.Models;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Onnx;

namespace RagService.Cli.Bench;

/// <summary>
/// `rag bench-search`: query latency of the embedded store at scale. Fills a fresh SQLite store with synthetic Chinese
/// chunks (BM25 terms from the real analyzer; random unit vectors of the model's dimension, since only the query is
/// embedded at search time), then times `search` per mode with the real embedding model and prints p50 / p99 and each
/// stage's share. The LLM is not involved.
/// </summary>
internal static class SearchBenchCommand
{
    public const string Usage = """
        rag bench-search --embedding-model DIR [--chunks N] [--queries N] [--reranker-model DIR]
                         [--rerank-candidates 10,20,30,50] [--reranker-max-tokens N]
          fills a temporary store with N synthetic chunks (default 100000) and times N queries per mode (default 200);
          hybrid+rerank gets one row per candidate count; pairs are truncated to the reranker's max tokens
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        string? embeddingDir = null, rerankerDir = null;
        int chunks = 100_000, queries = 200;
        int? rerankerMaxTokens = null;
        int[] rerankCandidates = [new RetrievalOptions().RerankCandidates];
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--embedding-model": embeddingDir = Next(); break;
                case "--reranker-model": rerankerDir = Next(); break;
                case "--chunks": chunks = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--queries": queries = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rerank-candidates": rerankCandidates = Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--reranker-max-tokens": rerankerMaxTokens = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
        }

        if (embeddingDir is null)
        {
            throw new ArgumentException("--embedding-model is required");
        }

        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = embeddingDir, IntraOpThreads = 2 });
        if (embedder is null)
        {
            throw new ArgumentException($"embedding model: {status.State}: {status.Detail}");
        }

        IReranker? reranker = null;
        if (rerankerDir is not null)
        {
            (reranker, var rerankStatus) = OnnxModelLoader.LoadReranker(
                new OnnxModelOptions { ModelDirectory = rerankerDir, IntraOpThreads = 2, MaxSequenceLength = rerankerMaxTokens });
            Console.WriteLine($"reranker: {rerankStatus.Detail}");
            _ = reranker ?? throw new ArgumentException($"reranker: {rerankStatus.State}: {rerankStatus.Detail}");
        }

        var dir = Path.Combine(Path.GetTempPath(), "rag-bench-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            using var kb = LocalKnowledgeBase.Open(Path.Combine(dir, "bench.db"));
            var store = kb.Store;
            var analyzer = new MixedScriptAnalyzer();
            var collection = await store.CreateCollectionAsync("bench", new CollectionSettings { Analyzer = analyzer.Signature }, CancellationToken.None);
            var corpus = new SyntheticCorpus(seed: 7);
            var texts = new List<string>(chunks);
            var sw = Stopwatch.StartNew();
            for (var d = 0; d * 10 < chunks; d++)
            {
                var batch = Enumerable.Range(0, Math.Min(10, chunks - d * 10)).Select(k =>
                {
                    var text = corpus.Chunk();
                    texts.Add(text);
                    return new IndexedChunk(new Chunk(k, text, [], null), analyzer.Analyze(text), [], corpus.UnitVector(embedder.Dimension));
                }).ToList();
                await store.UpsertDocumentAsync(collection, new DocumentWrite($"doc-{d}", null, $"h{d}", "text", new Dictionary<string, string>(), batch), CancellationToken.None);
            }

            Console.WriteLine($"stored {chunks} chunks in {sw.Elapsed.TotalSeconds:0.0} s");
            SearchService SearchWith(int candidates) =>
                new(store, kb.Lexical, new AnalyzerCatalog(analyzer), kb.Vectors, embedder, reranker, new RetrievalOptions { RerankCandidates = candidates });
            var search = SearchWith(rerankCandidates[0]);
            sw.Restart();
            await search.SearchAsync(collection, new SearchQuery { Query = "预热", Mode = RetrievalMode.Hybrid, Rerank = false }, CancellationToken.None);
            Console.WriteLine($"first search (loads the BM25 index, builds the HNSW index from SQLite): {sw.Elapsed.TotalSeconds:0.0} s");

            var questions = Enumerable.Range(0, queries).Select(_ => corpus.QueryFrom(texts)).ToList();
            Console.WriteLine($"\n{queries} queries per mode, top 5 of 100 candidates per retriever, single caller");
            Console.WriteLine("mode                p50 ms   p99 ms  mean ms  stage shares of the mean");
            foreach (var (name, mode, rerank, candidates) in Modes(reranker is not null, rerankCandidates))
            {
                search = SearchWith(candidates);
                var runs = new List<SearchOutcome>();
                foreach (var q in questions.Take(10))
                {
                    await search.SearchAsync(collection, new SearchQuery { Query = q, Mode = mode, Rerank = rerank }, CancellationToken.None);
                }

                foreach (var q in questions)
                {
                    runs.Add(await search.SearchAsync(collection, new SearchQuery { Query = q, Mode = mode, Rerank = rerank }, CancellationToken.None));
                }

                Console.WriteLine(Row(name, runs));
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static IEnumerable<(string, RetrievalMode, bool, int)> Modes(bool withRerank, int[] rerankCandidates)
    {
        yield return ("bm25", RetrievalMode.Bm25, false, rerankCandidates[0]);
        yield return ("dense", RetrievalMode.Dense, false, rerankCandidates[0]);
        yield return ("hybrid", RetrievalMode.Hybrid, false, rerankCandidates[0]);
        if (withRerank)
        {
            foreach (var candidates in rerankCandidates)
            {
                yield return ($"hybrid+rerank@{candidates}", RetrievalMode.Hybrid, true, candidates);
            }
        }
    }

    private static string Row(string name, List<SearchOutcome> runs)
    {
        var totals = runs.Select(r => r.TotalMilliseconds).Order().ToList();
        double Percentile(double p) => totals[Math.Min(totals.Count - 1, (int)Math.Ceiling(p * totals.Count) - 1)];
        var mean = totals.Average();
        var shares = runs.SelectMany(r => r.Stages).Where(s => s.Status == "ok").GroupBy(s => s.Stage)
            .Select(g => $"{g.Key} {100 * g.Sum(s => s.Milliseconds) / runs.Count / mean:0}%");
        return string.Create(CultureInfo.InvariantCulture, $"{name,-18} {Percentile(0.5),7:0.00} {Percentile(0.99),8:0.00} {mean,8:0.00}  {string.Join(", ", shares)}");
    }
}
