using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using RagService.Cli.Local;
using RagService.Cli.Terminal;
using RagService.Core.Chunking;
using RagService.Core.Context;
using RagService.Core.Documents;
using RagService.Core.Indexing;
using RagService.Core.Ingestion;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Lexical.Lucene.Analysis;
using RagService.Onnx;

namespace RagService.Cli.Eval;

/// <summary>
/// `rag eval FILE`: indexes the passages of a QA file into a fresh collection through the service's own ingestion
/// and search code, then reports recall@1/5/20, MRR@10, failure@20 and query throughput.
/// </summary>
internal static class EvalCommand
{
    private const int RankDepth = 100;

    public static async Task<int> RunAsync(EvalArgs args)
    {
        var data = QaDataset.Load(args.File);
        var dir = Path.Combine(Path.GetTempPath(), "rag-eval-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            // A deterministic vector index build: two runs over the same data and model print the same numbers.
            using var kb = LocalKnowledgeBase.Open(Path.Combine(dir, "eval.db"), args.Bm25Engine, args.HeaderWeight, deterministicVectors: true);
            var store = kb.KnowledgeStore;
            using var smartCn = args.SmartCn ? new SmartCnTextAnalyzer() : null;
            ITextAnalyzer analyzer = smartCn is null ? new MixedScriptAnalyzer(args.Cjk) : smartCn;
            var chunking = args.Chunking is "sentence-pack" or "anchor"
                ? new ChunkingOptions { Mode = ChunkingMode.SentencePack, MaxSize = args.ChunkSize, Overlap = 0 }
                : new ChunkingOptions { Mode = ChunkingMode.Structured, MaxSize = args.ChunkSize, Overlap = args.Overlap };
            var settings = new CollectionSettings { Chunking = chunking, ContextualHeaders = args.Headers, Analyzer = analyzer.Signature };
            var collection = await store.CreateCollectionAsync("eval", settings, CancellationToken.None);

            var model = Load(args.EmbeddingModel, OnnxModelLoader.LoadEmbedder);
            var cache = model is not null && args.EmbeddingCache is { } cachePath ? new EmbeddingCache(model, cachePath) : null;
            // With --mode bm25 a model only counts tokens for --context-budget: nothing is embedded.
            var embedder = args.Modes.Any(m => m != "bm25") ? (RagService.Core.Models.ITextEmbedder?)cache ?? model : null;
            var reranker = Load(args.RerankerModel, OnnxModelLoader.LoadReranker);
            var ingestion = new IngestionService(store, new AnalyzerCatalog(analyzer), embedder);
            var indexWatch = Stopwatch.StartNew();
            var chunkTexts = new List<string>();
            await ProgressDisplay.RunAsync("eval", async progress =>
            {
                var indexed = 0;
                foreach (var p in data.Passages)
                {
                    var document = new ExtractedDocument(p.Title, [new DocumentBlock(BlockKind.Paragraph, p.Text)], "text");
                    await ingestion.IngestAsync(collection, new IngestRequest(p.Id, p.Title, document, new Dictionary<string, string>()), CancellationToken.None);
                    chunkTexts.AddRange(new StructuredChunker(chunking).Chunk(document).Select(c => c.Text));
                    progress.Report(new ProgressStep("indexing", ++indexed, data.Passages.Count));
                }

                return 0;
            }, plain: args.Json);

            var indexMs = indexWatch.Elapsed.TotalMilliseconds;
            var calibration = embedder is null ? null : new FusionCalibrationService(store, kb.IndexSource, new InMemoryFusionCalibrationStore(), new AnalyzerCatalog(analyzer),
                embedder, bm25: new Core.Lexical.Bm25Parameters { HeaderWeight = args.HeaderWeight });
            var search = LocalSearch.Compose(kb, new AnalyzerCatalog(analyzer), embedder, reranker, args.Retrieval, calibration);
            if (calibration is not null && args.Fusion == FusionMethod.Calibrated && args.Modes.Any(m => m.StartsWith("hybrid", StringComparison.Ordinal)))
            {
                // As the service does at the end of ingestion: searches never calibrate, they use what is stored.
                await calibration.GetOrCalibrateAsync(collection, args.Candidates, CancellationToken.None);
            }

            if (args.Conversational)
            {
                Console.WriteLine(await ConversationalEval.RunAsync(search, collection, args));
                return 0;
            }

            var context = args.ContextBudgets.Count == 0 ? null : new ContextRecallEval(new StoreChunkNeighbours(store, collection),
                new RememberingTokenCounter(model is null ? CharacterTokenCounter.Instance : new EmbeddingTokenCounter(model)), args.ContextBudgets, args.ContextHits);
            var byMode = new Dictionary<string, RetrievalMetrics>();
            List<int> ranks = [];
            foreach (var mode in args.Modes)
            {
                var modeRanks = await RanksAsync(search, collection, data.Questions, mode, args,
                    context is null ? null : (q, hits) => context.AddAsync(mode, q, hits));
                byMode[mode] = RetrievalMetrics.From(modeRanks);
                if (ranks.Count == 0)
                {
                    ranks = modeRanks;
                }
            }

            var (qps, qpsCpu) = await MeasureThroughputAsync(kb.Lexical, analyzer, collection, data.Questions);
            var intact = data.Questions.Select((q, i) => (q, i)).Where(x => x.q.Answers.Any(a => chunkTexts.Any(c => c.Contains(a, StringComparison.Ordinal)))).ToList();
            var report = new EvalReport(
                RetrievalMetrics.From(ranks), data.Passages.Count, chunkTexts.Count, chunkTexts.Count == 0 ? 0 : chunkTexts.Average(c => c.Length),
                intact.Count, intact.Count(x => ranks[x.i] is 0 or > 20), indexMs, qps, qpsCpu, args, byMode, context);
            cache?.Save();
            if (args.Json || !TerminalOutput.IsInteractive)
            {
                Console.WriteLine(args.Json ? report.ToJson() : report.ToTable());
            }
            else
            {
                report.Write(TerminalOutput.Out);
            }

            if (args.RanksOut is { } ranksPath)
            {
                await File.WriteAllLinesAsync(ranksPath, data.Questions.Select((q, i) => $"{q.Id}\t{ranks[i]}"));
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static T? Load<T>(string? directory, Func<OnnxModelOptions, (T?, RagService.Core.Models.ComponentStatus)> loader)
        where T : class
    {
        if (directory is null)
        {
            return null;
        }

        var (model, status) = loader(new OnnxModelOptions { ModelDirectory = directory });
        return model ?? throw new ArgumentException($"model {directory}: {status.State}: {status.Detail}");
    }

    /// <summary>1-based rank of the first chunk containing a gold answer, per question (0 = not in the top 100).</summary>
    /// <param name="onHits">Also given each question's ranked hits (the context report).</param>
    internal static async Task<List<int>> RanksAsync(SearchService search, CollectionInfo collection, IReadOnlyList<QaQuestion> questions, string mode, EvalArgs args,
        Func<QaQuestion, IReadOnlyList<SearchHit>, Task>? onHits = null)
    {
        var ranks = new List<int>(questions.Count);
        string? fusionDetail = null;
        foreach (var q in questions)
        {
            var query = new SearchQuery
            {
                Query = q.Text,
                TopK = Math.Min(RankDepth, args.Candidates),
                Candidates = args.Candidates,
                Fusion = args.Fusion,
                Mode = mode switch { "dense" => RetrievalMode.Dense, "bm25" => RetrievalMode.Bm25, _ => RetrievalMode.Hybrid },
                Rerank = mode == "hybrid+rerank",
            };
            var outcome = await search.SearchAsync(collection, query, CancellationToken.None);
            fusionDetail ??= mode.StartsWith("hybrid", StringComparison.Ordinal) ? outcome.Stages.FirstOrDefault(s => s.Stage == "fusion")?.Detail : null;
            var hit = outcome.Hits.FirstOrDefault(h => q.Answers.Any(a => h.Chunk.Text.Contains(a, StringComparison.Ordinal)));
            ranks.Add(hit?.Rank ?? 0);
            if (onHits is not null)
            {
                await onHits(q, outcome.Hits);
            }
        }

        if (fusionDetail is not null)
        {
            // On stderr: the table and --json on stdout stay machine-readable.
            await Console.Error.WriteLineAsync($"{mode} fusion: {fusionDetail}");
        }

        return ranks;
    }

    /// <summary>
    /// Questions per second of analyze + BM25 top-100 (ids and scores, no chunk text), the same work the Lucene anchor times.
    /// Single thread, after a warm-up pass, repeated passes for at least two seconds; also per CPU second of this process.
    /// </summary>
    private static async Task<(double Wall, double Cpu)> MeasureThroughputAsync(
        ILexicalSearchIndex lexical, ITextAnalyzer analyzer, CollectionInfo collection, IReadOnlyList<QaQuestion> questions)
    {
        async Task PassAsync()
        {
            foreach (var q in questions)
            {
                await lexical.SearchAsync(collection, analyzer.AnalyzeQuery(q.Text), RankDepth, SearchFilter.None, CancellationToken.None);
            }
        }

        await PassAsync();
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var count = 0;
        while (wall.Elapsed < TimeSpan.FromSeconds(2) || count == 0)
        {
            await PassAsync();
            count += questions.Count;
        }

        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        return (count / wall.Elapsed.TotalSeconds, count / Math.Max(cpu, 1e-9));
    }
}

internal sealed record EvalReport(
    RetrievalMetrics Metrics, int Passages, int Chunks, double MeanChunkChars, int IntactQuestions, int IntactMissesAt20,
    double IndexMs, double Qps, double QpsCpu, EvalArgs Args, IReadOnlyDictionary<string, RetrievalMetrics> ByMode, ContextRecallEval? Context = null)
{
    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["recall@1"] = Math.Round(Metrics.RecallAt1, 4),
        ["recall@5"] = Math.Round(Metrics.RecallAt5, 4),
        ["recall@20"] = Math.Round(Metrics.RecallAt20, 4),
        ["mrr@10"] = Math.Round(Metrics.MrrAt10, 4),
        ["failure@20"] = Math.Round(Metrics.FailureAt20, 4),
        ["qps"] = Math.Round(Qps, 1),
        ["qps_cpu"] = Math.Round(QpsCpu, 1),
        ["questions"] = Metrics.Questions,
        ["passages"] = Passages,
        ["chunks"] = Chunks,
        ["mean_chunk_chars"] = Math.Round(MeanChunkChars, 1),
        ["answer_intact_questions"] = IntactQuestions,
        ["answer_intact_misses@20"] = IntactMissesAt20,
        ["index_ms"] = Math.Round(IndexMs, 1),
        ["chunking"] = Args.Chunking,
        ["headers"] = Args.Headers,
        ["analyzer"] = Args.AnalyzerName,
        ["header_weight"] = Args.HeaderWeight,
        ["bm25_engine"] = Args.Bm25Engine,
        ["mode"] = Args.Modes[0],
        ["modes"] = ByMode.ToDictionary(kv => kv.Key, kv => new Dictionary<string, double>
        {
            ["recall@1"] = Math.Round(kv.Value.RecallAt1, 4),
            ["recall@5"] = Math.Round(kv.Value.RecallAt5, 4),
            ["recall@20"] = Math.Round(kv.Value.RecallAt20, 4),
            ["mrr@10"] = Math.Round(kv.Value.MrrAt10, 4),
            ["failure@20"] = Math.Round(kv.Value.FailureAt20, 4),
        }),
        ["context"] = Context is null ? null! : new Dictionary<string, object> { ["counter"] = Context.Counter, ["modes"] = Context.ToJson() },
    });

    /// <summary>The plain report (stdout redirected): fixed-width columns that scripts and logs read.</summary>
    public string ToTable()
    {
        var rows = string.Join("\n", ByMode.Select(kv => string.Create(CultureInfo.InvariantCulture,
            $"{kv.Key,-14} {kv.Value.RecallAt1,6:0.000} {kv.Value.RecallAt5,6:0.000} {kv.Value.RecallAt20,6:0.000} {kv.Value.MrrAt10,6:0.000} {kv.Value.FailureAt20,7:0.000}")));
        return $"""
            {Summary()}
            mode             R@1    R@5   R@20 MRR@10 Fail@20
            {rows}
            """ + (Context is null ? "" : "\n" + Context.ToTable(ByMode));
    }

    /// <summary>The report on a terminal: the summary, then the metrics per mode as a table.</summary>
    public void Write(IAnsiConsole console)
    {
        console.WriteLine(Summary());
        var table = new Table().AddColumn("mode");
        foreach (var metric in new[] { "R@1", "R@5", "R@20", "MRR@10", "Fail@20" })
        {
            table.AddColumn(new TableColumn(metric).RightAligned());
        }

        foreach (var (mode, m) in ByMode)
        {
            table.AddRow([mode, .. new[] { m.RecallAt1, m.RecallAt5, m.RecallAt20, m.MrrAt10, m.FailureAt20 }.Select(v => v.ToString("0.000", CultureInfo.InvariantCulture))]);
        }

        console.Write(table);
        if (Context is not null)
        {
            console.WriteLine(Context.ToTable(ByMode));
        }
    }

    private string Summary() => string.Create(CultureInfo.InvariantCulture, $"""
        {Path.GetFileName(Args.File)}: {Passages} passages, {Metrics.Questions} questions | chunking={Args.Chunking} size={Args.ChunkSize} headers={Args.Headers} analyzer={Args.AnalyzerName} header_weight={Args.HeaderWeight} bm25={Args.Bm25Engine}
        chunks: {Chunks} (mean {MeanChunkChars:0.0} chars) | answer intact in some chunk: {IntactQuestions} questions, of which missed@20 ({Args.Modes[0]}): {IntactMissesAt20}
        index {IndexMs:0.0} ms | BM25 throughput: {Qps:0} QPS wall, {QpsCpu:0} QPS per CPU second
        """);
}
