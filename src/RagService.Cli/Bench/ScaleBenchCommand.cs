using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RagService.Cli.CommandLine;
using RagService.Cli.Local;
using RagService.Core.Locking;
using RagService.Core.Models;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Onnx;

namespace RagService.Cli.Bench;

/// <summary>
/// `rag bench-scale`: the whole query path at scale, one step per process so that each mode starts as a restarted
/// service would. Steps:
/// <list type="bullet">
/// <item>prepare: fills --db once (<see cref="BenchCorpus"/>: synthetic Chinese and English chunks with random unit
/// vectors of the embedding model's dimension; only queries are embedded) and builds both indexes beside it.</item>
/// <item>bm25 | dense | hybrid | hybrid+neighbours: first answer after start (model load and index load included),
/// p50/p99 of one caller, queries per second (wall and per CPU second) of several callers, RSS; one markdown row.</item>
/// <item>anchor: the BM25 engine alone with header weight 0, for the Java Lucene comparison: writes each chunk's analyzed
/// terms (kept between runs), each query's terms and our top 100 per query, and prints our QPS per CPU second.</item>
/// </list>
/// </summary>
internal static class ScaleBenchCommand
{
    private const int ChunksPerDocument = 100;
    private const int WarmupQueries = 10;
    private const int AnchorTopK = 100;

    private static readonly string[] ModeSteps = ["bm25", "dense", "hybrid", "hybrid+neighbours"];

    /// <summary>`rag bench-scale`: its options and help.</summary>
    public static Command CreateCommand()
    {
        var step = OptionRules.Create<string>("--step", "prepare | bm25 | dense | hybrid | hybrid+neighbours | anchor", "S")
            .OneOf(["prepare", .. ModeSteps, "anchor"]);
        var db = OptionRules.Create<string>("--db", "the database: step prepare fills it with synthetic chunks and vectors if it does not exist; the other steps need it", "PATH");
        var embedding = OptionRules.Create<string>("--embedding-model", "ONNX embedding model directory (queries are embedded with it; stored vectors get its dimension)", "DIR");
        step.Required = db.Required = embedding.Required = true;
        var chunks = OptionRules.Create("--chunks", "synthetic chunks to fill a new database with", "N", 100_000).AtLeast(1);
        var englishEvery = OptionRules.Create("--english-every", "every N-th chunk of a new database is English-like (0: all Chinese-like)", "N", 4).AtLeast(0);
        var engine = OptionRules.Create("--bm25-engine", "memory | lucene", "E", "lucene").OneOf("memory", "lucene");
        var queries = OptionRules.Create("--queries", "queries timed one caller at a time per mode", "N", 200).AtLeast(1);
        var callers = OptionRules.Create("--callers", "concurrent callers for the throughput figure", "N", 4).AtLeast(1);
        var sharedQueries = OptionRules.Create("--concurrent-queries", "queries the concurrent callers answer between them", "N", 400).AtLeast(1);
        var anchorQueries = OptionRules.Create("--anchor-queries", "step anchor: BM25 queries, top 100 each", "N", 1_000).AtLeast(1);
        var anchorDir = OptionRules.Create<string>("--anchor-dir", "step anchor: folder for chunks.tsv (kept), queries.tsv and ours.tsv", "DIR");
        var spinning = IntraOpSpinningOption.Create();
        var command = new Command("bench-scale",
            "The query path at scale, one step per process: prepare the store, then per mode first answer after start, p50/p99, QPS per CPU second and RSS; or the BM25 anchor export.")
        {
            step, db, embedding, chunks, englishEvery, engine, queries, callers, sharedQueries, anchorQueries, anchorDir, spinning,
        };
        command.SetAction(parse =>
        {
            var run = new ScaleBenchRun(parse.GetRequiredValue(db), parse.GetRequiredValue(embedding), parse.GetRequiredValue(engine), parse.GetValue(chunks),
                parse.GetValue(englishEvery), parse.GetValue(queries), parse.GetValue(callers), parse.GetValue(sharedQueries), IntraOpSpinningOption.Parse(parse.GetValue(spinning)));
            return parse.GetRequiredValue(step) switch
            {
                "prepare" => run.PrepareAsync(),
                "anchor" => run.AnchorAsync(parse.GetValue(anchorDir) ?? throw new ArgumentException("--step anchor needs --anchor-dir"), parse.GetValue(anchorQueries)),
                var mode => run.ModeAsync(mode),
            };
        });
        return command;
    }

    private sealed record ScaleBenchRun(string Db, string EmbeddingDir, string Engine, int Chunks, int EnglishEvery, int Queries, int Callers, int SharedQueries,
        bool? IntraOpSpinning)
    {
        private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
        private readonly MixedScriptAnalyzer _analyzer = new();

        public async Task<int> PrepareAsync()
        {
            using var dataLock = DataFolderLock.Acquire(Db, "--db");
            var embedder = LoadEmbedder();
            var corpus = new BenchCorpus(Chunks, ChunksPerDocument, EnglishEvery, embedder.Dimension);
            if (!File.Exists(Db))
            {
                Console.WriteLine($"filling: {Chunks} synthetic chunks (every {EnglishEvery}th English-like), random unit vectors of dimension {embedder.Dimension}");
                await corpus.FillAsync(Db, _analyzer);
            }

            var started = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            using (var kb = LocalKnowledgeBase.Open(Db, Engine))
            {
                var search = LocalSearch.Compose(kb, new AnalyzerCatalog(_analyzer), embedder, null, new RetrievalOptions());
                await search.SearchAsync(await CollectionAsync(kb), new SearchQuery { Query = corpus.Queries(1)[0], Mode = RetrievalMode.Hybrid }, CancellationToken.None);
            }

            Console.WriteLine($"indexes ready (loaded, or built and saved) in {started.Elapsed.TotalSeconds:0} s wall, " +
                $"{(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0} CPU s");
            Console.WriteLine($"disk: {DiskUsage()}");
            return 0;
        }

        public async Task<int> ModeAsync(string step)
        {
            RequireStore();
            var embedder = LoadEmbedder();
            var mode = step == "bm25" ? RetrievalMode.Bm25 : step == "dense" ? RetrievalMode.Dense : RetrievalMode.Hybrid;
            var retrieval = step == "hybrid+neighbours" ? new RetrievalOptions() : new RetrievalOptions { Neighbours = new NeighbourEvidenceOptions { Window = 0 } };
            var questions = new BenchCorpus(Chunks, ChunksPerDocument, EnglishEvery, embedder.Dimension).Queries(Math.Max(Queries, SharedQueries) + WarmupQueries);
            using var kb = LocalKnowledgeBase.Open(Db, Engine);
            var search = LocalSearch.Compose(kb, new AnalyzerCatalog(_analyzer), embedder, null, retrieval);
            var collection = await CollectionAsync(kb);
            Task Ask(string q) => search.SearchAsync(collection, new SearchQuery { Query = q, Mode = mode }, CancellationToken.None);

            var process = Process.GetCurrentProcess();
            await Ask(questions[0]);
            var firstWall = _sinceStart.Elapsed.TotalSeconds;
            process.Refresh();
            var firstCpu = process.TotalProcessorTime.TotalSeconds;
            foreach (var q in questions.Skip(1).Take(WarmupQueries - 1))
            {
                await Ask(q);
            }

            var latencies = new List<double>(Queries);
            foreach (var q in questions.Skip(WarmupQueries).Take(Queries))
            {
                var one = Stopwatch.StartNew();
                await Ask(q);
                latencies.Add(one.Elapsed.TotalMilliseconds);
            }

            latencies.Sort();
            double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];

            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < SharedQueries)
                {
                    await Ask(questions[WarmupQueries + i]);
                }
            })));
            process.Refresh();
            var qps = SharedQueries / wall.Elapsed.TotalSeconds;
            var qpsCpu = SharedQueries / (process.TotalProcessorTime - cpuStart).TotalSeconds;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {step} | {firstWall:0.0} s ({firstCpu:0.0} CPU s) | {Percentile(0.5):0.0} | {Percentile(0.99):0.0} | {qps:0.0} / {qpsCpu:0.0} | {process.WorkingSet64 / 1048576.0:0} ({PeakRssMiB()}) |"));
            return 0;
        }

        public async Task<int> AnchorAsync(string dir, int count)
        {
            RequireStore();
            Directory.CreateDirectory(dir);
            var questions = new BenchCorpus(Chunks, ChunksPerDocument, EnglishEvery).Queries(count).Select(q => _analyzer.AnalyzeQuery(q)).ToList();
            using var kb = LocalKnowledgeBase.Open(Db, Engine, headerWeight: 0);
            var collection = await CollectionAsync(kb);
            var chunksFile = Path.Combine(dir, "chunks.tsv");
            if (!File.Exists(chunksFile))
            {
                await WriteChunkTermsAsync(kb, collection.Id, chunksFile);
            }

            await File.WriteAllLinesAsync(Path.Combine(dir, "queries.tsv"), questions.Select((terms, i) => $"{i}\t{Joined(terms)}"));
            // One untimed pass first, as on the Java side: both runtimes compile their hot paths before the timed pass.
            foreach (var terms in questions)
            {
                await kb.Lexical.SearchAsync(collection, terms, AnchorTopK, SearchFilter.None, CancellationToken.None);
            }

            var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpuStart = process.TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            var ranks = new List<string>(count);
            for (var i = 0; i < questions.Count; i++)
            {
                var hits = await kb.Lexical.SearchAsync(collection, questions[i], AnchorTopK, SearchFilter.None, CancellationToken.None);
                ranks.Add($"{i}\t{string.Join(' ', hits.Select(h => h.ChunkId))}");
            }

            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
            await File.WriteAllLinesAsync(Path.Combine(dir, "ours.tsv"), ranks);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ours ({kb.Lexical.Engine}, header weight 0): {count} queries top {AnchorTopK}, one caller: {count / wall.Elapsed.TotalSeconds:0.0} QPS wall, {count / cpu:0.0} per CPU second"));
            return 0;
        }

        /// <summary>Each chunk's id and body terms, whitespace-joined; the fill writes no header terms, so these are all the terms BM25 sees.</summary>
        private static async Task WriteChunkTermsAsync(LocalKnowledgeBase kb, long collectionId, string path)
        {
            var partial = path + ".partial";
            await using (var writer = new StreamWriter(partial))
            {
                using var snapshot = kb.IndexSource.OpenSnapshot(collectionId);
                foreach (var entry in snapshot.ReadTerms())
                {
                    if (entry.HeaderTerms.Count > 0)
                    {
                        throw new InvalidOperationException($"chunk {entry.ChunkId} has header terms: the anchor compares body terms only");
                    }

                    await writer.WriteLineAsync($"{entry.ChunkId}\t{Joined(entry.BodyTerms)}");
                }
            }

            File.Move(partial, path, overwrite: true);
        }

        private static string Joined(IReadOnlyList<string> terms) =>
            terms.Any(t => t.Length == 0 || t.Any(char.IsWhiteSpace))
                ? throw new InvalidOperationException($"a term is empty or holds whitespace: '{terms.First(t => t.Length == 0 || t.Any(char.IsWhiteSpace))}'")
                : string.Join(' ', terms);

        private ITextEmbedder LoadEmbedder()
        {
            var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = EmbeddingDir, IntraOpSpinning = IntraOpSpinning });
            return embedder ?? throw new ArgumentException($"--embedding-model: {status.State}: {status.Detail}");
        }

        private void RequireStore()
        {
            if (!File.Exists(Db))
            {
                throw new ArgumentException($"--db {Db} does not exist: run --step prepare first");
            }
        }

        private static async Task<CollectionInfo> CollectionAsync(LocalKnowledgeBase kb) =>
            await kb.Store.GetCollectionAsync(BenchCorpus.CollectionName, CancellationToken.None)
            ?? throw new ArgumentException($"--db holds no collection '{BenchCorpus.CollectionName}': not a bench store");

        private string DiskUsage()
        {
            static long Size(string path) => Directory.Exists(path)
                ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
                : File.Exists(path) ? new FileInfo(path).Length : 0;
            static string MiB(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture);
            return $"SQLite {MiB(Size(Db) + Size(Db + "-wal"))} MiB, BM25 index ({Engine}) {MiB(Size(Db + ".lucene"))} MiB, vector snapshots {MiB(Size(Db + ".vectors"))} MiB";
        }

        /// <summary>The process's peak resident set (VmHWM), "?" where /proc does not say.</summary>
        private static string PeakRssMiB()
        {
            var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) : null;
            return line is null ? "?" : (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).ToString(CultureInfo.InvariantCulture);
        }
    }
}
