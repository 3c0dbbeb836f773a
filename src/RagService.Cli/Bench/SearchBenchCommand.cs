using System.Diagnostics;
using System.CommandLine;
using System.Globalization;
using RagService.Cli.CommandLine;
using RagService.Cli.Local;
using RagService.Core.Access;
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
    /// <summary>`rag bench-search`: its options and help.</summary>
    public static Command CreateCommand()
    {
        var embedding = OptionRules.Create<string>("--embedding-model", "ONNX embedding model directory", "DIR");
        embedding.Required = true;
        var chunks = OptionRules.Create("--chunks", "synthetic chunks in the temporary store", "N", 100_000).AtLeast(1);
        var queries = OptionRules.Create("--queries", "queries timed per mode", "N", 200).AtLeast(1);
        var reranker = OptionRules.Create<string>("--reranker-model", "ONNX cross-encoder directory: adds hybrid+rerank rows", "DIR");
        var rerankCandidates = OptionRules.Create("--rerank-candidates", "candidate counts, one hybrid+rerank row each (e.g. 10,20,30,50)", "LIST",
            new RetrievalOptions().RerankCandidates.ToString(CultureInfo.InvariantCulture));
        rerankCandidates.Validators.Add(result =>
        {
            if (!(result.GetValueOrDefault<string>() ?? "").Split(',').All(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0))
            {
                result.AddError($"--rerank-candidates must be positive whole numbers separated by commas, not '{result.GetValueOrDefault<string>()}'");
            }
        });
        var rerankerMaxTokens = OptionRules.Create<int?>("--reranker-max-tokens", "pairs are truncated to this many tokens (default: the reranker's maximum)", "N");
        var visible = OptionRules.Create<string>("--visible",
            "percentages of the documents a caller may read (e.g. 1,10,100): documents get access lists and each mode is also timed per share, next to the unfiltered admin", "LIST");
        visible.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } list && !list.Split(',').All(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 100))
            {
                result.AddError($"--visible must be percentages 1-100 separated by commas, not '{list}'");
            }
        });
        var engine = OptionRules.Create("--bm25-engine", "memory | lucene: the BM25 engine timed (hybrid uses it too)", "E", "memory").OneOf("memory", "lucene");
        var command = new Command("bench-search",
            "Fills a temporary store with synthetic chunks and times queries per mode with the real embedding model: p50, p99 and each stage's share.")
        {
            embedding, chunks, queries, reranker, rerankCandidates, rerankerMaxTokens, visible, engine,
        };
        command.SetAction(parse => RunAsync(
            parse.GetRequiredValue(embedding), parse.GetValue(reranker), parse.GetValue(chunks), parse.GetValue(queries),
            parse.GetRequiredValue(rerankCandidates).Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(), parse.GetValue(rerankerMaxTokens),
            parse.GetValue(visible)?.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() ?? [], parse.GetRequiredValue(engine)));
        return command;
    }

    /// <summary>Access buckets: document d may be read by group:b{d mod 100}, so a caller holding buckets 0..p-1 reads p % of the documents.</summary>
    private const int AccessBuckets = 100;

    private static AccessScope ScopeFor(int percent) => new(Enumerable.Range(0, percent).Select(b => $"group:b{b}"));

    private static async Task<int> RunAsync(string embeddingDir, string? rerankerDir, int chunks, int queries, int[] rerankCandidates, int? rerankerMaxTokens,
        int[] visiblePercents, string bm25Engine)
    {
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
            // Lucene commits every 1,000 writes while the store fills (what is timed is search, not commits).
            using var kb = LocalKnowledgeBase.Open(Path.Combine(dir, "bench.db"), bm25Engine, commitEveryWrites: 1000);
            Console.WriteLine($"bm25 engine: {bm25Engine}");
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
                var write = new DocumentWrite($"doc-{d}", null, $"h{d}", "text", new Dictionary<string, string>(), batch)
                {
                    Access = visiblePercents.Length > 0 ? [$"group:b{d % AccessBuckets}"] : null,
                };
                await store.UpsertDocumentAsync(collection, write, CancellationToken.None);
            }

            Console.WriteLine($"stored {chunks} chunks in {sw.Elapsed.TotalSeconds:0.0} s");
            SearchService SearchWith(int candidates) =>
                LocalSearch.Compose(kb, new AnalyzerCatalog(analyzer), embedder, reranker, new RetrievalOptions { RerankCandidates = candidates });
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

            if (visiblePercents.Length > 0)
            {
                await TimeVisibleSharesAsync(SearchWith(rerankCandidates[0]), collection, questions, visiblePercents);
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Per mode: the unfiltered admin, then callers who may read each share of the documents, with p50 and p99 and the p50 ratio to the admin's.
    /// </summary>
    private static async Task TimeVisibleSharesAsync(SearchService search, CollectionInfo collection, IReadOnlyList<string> questions, int[] percents)
    {
        Console.WriteLine($"\naccess filter: {questions.Count} queries per row; documents in {AccessBuckets} access groups, a caller holds p % of them");
        Console.WriteLine("mode     visible    p50 ms   p99 ms  p50 / unfiltered");
        foreach (var (name, mode) in new[] { ("bm25", RetrievalMode.Bm25), ("dense", RetrievalMode.Dense), ("hybrid", RetrievalMode.Hybrid) })
        {
            double? baseline = null;
            foreach (var percent in new int?[] { null }.Concat(percents.Select(p => (int?)p)))
            {
                var filter = percent is { } p ? new SearchFilter { Access = ScopeFor(p) } : SearchFilter.None;
                SearchQuery Query(string q) => new() { Query = q, Mode = mode, Rerank = false, Filter = filter };
                foreach (var q in questions.Take(10))
                {
                    await search.SearchAsync(collection, Query(q), CancellationToken.None);
                }

                var totals = new List<double>(questions.Count);
                foreach (var q in questions)
                {
                    totals.Add((await search.SearchAsync(collection, Query(q), CancellationToken.None)).TotalMilliseconds);
                }

                totals.Sort();
                double Percentile(double q) => totals[Math.Min(totals.Count - 1, (int)Math.Ceiling(q * totals.Count) - 1)];
                baseline ??= Percentile(0.5);
                var label = percent is { } share ? $"{share} %" : "all (admin)";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-8} {label,-11} {Percentile(0.5),7:0.00} {Percentile(0.99),8:0.00}  {Percentile(0.5) / baseline,6:0.00}x"));
            }
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
