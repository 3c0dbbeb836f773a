using System.CommandLine;
using System.Globalization;
using RagService.Cli.CommandLine;
using RagService.Core.Retrieval;
using RagService.Core.Text;

namespace RagService.Cli.Eval;

internal sealed record EvalArgs(
    string File, bool Json, string Chunking, int ChunkSize, int Overlap, bool Headers, CjkSegmentation Cjk, double HeaderWeight, string? RanksOut, string Bm25Engine,
    IReadOnlyList<string> Modes, string? EmbeddingModel, string? RerankerModel, bool SmartCn = false, bool Conversational = false)
{
    /// <summary>How hybrid modes fuse: rrf, weighted or calibrated (the service default).</summary>
    public FusionMethod Fusion { get; init; } = FusionMethod.Calibrated;

    /// <summary>Candidates each retriever hands to fusion (the service default, 100).</summary>
    public int Candidates { get; init; } = new SearchQuery { Query = "" }.Candidates;

    /// <summary>File of cached embeddings (--embedding-cache), null for none.</summary>
    public string? EmbeddingCache { get; init; }

    /// <summary>Retrieval options for --dense-weight and --rrf-k, service defaults otherwise.</summary>
    public RetrievalOptions Retrieval { get; init; } = new();

    /// <summary>--context-budget: token budgets at which to compare the sources block as retrieved with the assembled one; empty: no context report.</summary>
    public IReadOnlyList<int> ContextBudgets { get; init; } = [];

    /// <summary>--context-hits: how many ranked hits each sources block is made from (default 5, ask's default topK).</summary>
    public IReadOnlyList<int> ContextHits { get; init; } = [DefaultContextHits];

    public const int DefaultContextHits = 5;

    /// <summary>The analyzer as reported: the mixed analyzer's CJK segmentation, or smartcn.</summary>
    public string AnalyzerName => SmartCn ? "smartcn" : Cjk.ToString();

    /// <summary>`rag eval`: its arguments, help and checks; the action runs <see cref="EvalCommand"/>.</summary>
    public static Command CreateCommand()
    {
        var defaults = new RetrievalOptions();
        var file = new Argument<FileInfo>("FILE") { Description = "CMRC 2018 JSON or JSONL ({question, answers[], passages[{title, text}]} per line)" }.AcceptExistingOnly();
        var json = new Option<bool>("--json") { Description = "print one JSON object (recall@1, recall@5, recall@20, mrr@10, failure@20, qps, ...); progress stays plain" };
        // "anchor" is the earlier name of sentence-pack, accepted so that existing scripts keep working.
        var chunking = OptionRules.Create("--chunking", "sentence-pack (whole sentences packed up to --chunk-size, no overlap) | structured", "MODE", "sentence-pack")
            .OneOf("sentence-pack", "structured", "anchor");
        var chunkSize = OptionRules.Create("--chunk-size", "largest chunk in characters", "N", 200).AtLeast(1);
        var overlap = OptionRules.Create("--overlap", "overlap for structured chunking", "N", 0).AtLeast(0);
        var headers = new Option<bool>("--headers") { Description = "index document title + heading path with every chunk (contextual headers)" };
        var analyzer = OptionRules.Create("--analyzer", "bigram+unigram | bigram | unigram (the mixed analyzer) | smartcn (Lucene SmartChineseAnalyzer)", "A", "bigram+unigram")
            .OneOf("bigram+unigram", "bigram", "unigram", "smartcn");
        var headerWeight = OptionRules.Number("--header-weight", "BM25 weight of the header column (as the service)", "W", 4.0);
        var engine = OptionRules.Create("--bm25-engine", "memory | lucene (the service's default engine; both give the same rankings)", "E", "memory").OneOf("memory", "lucene");
        var mode = OptionRules.Create("--mode", "bm25 | dense | hybrid | hybrid+rerank | all (every mode the models allow, side by side)", "M", "bm25")
            .OneOf("bm25", "dense", "hybrid", "hybrid+rerank", "all");
        var embeddingModel = OptionRules.Create<string>("--embedding-model", "ONNX embedding model directory (model.onnx + tokenizer.json or vocab.txt) for dense/hybrid", "DIR");
        var rerankerModel = OptionRules.Create<string>("--reranker-model", "ONNX cross-encoder directory for hybrid+rerank", "DIR");
        var fusion = OptionRules.Create<string>("--fusion", "how hybrid fuses: calibrated (default, as a new collection) | weighted | rrf", "F").OneOf("calibrated", "weighted", "rrf");
        var candidates = OptionRules.Create("--candidates", "candidates per retriever before fusion (as the service)", "N", new SearchQuery { Query = "" }.Candidates).AtLeast(1);
        var denseWeight = OptionRules.Number("--dense-weight",
            $"dense weight of weighted fusion, 0..1 (default {defaults.DenseWeight.ToString(CultureInfo.InvariantCulture)}; implies --fusion weighted unless --fusion is given)", "W")
            .Within(0.0, 1.0);
        var rrfK = OptionRules.Create("--rrf-k", "k of reciprocal-rank fusion", "K", defaults.RrfK).AtLeast(1);
        var neighbourWindow = OptionRules.Create("--neighbour-window", "chunks on each side whose fused score a hybrid candidate borrows (0 = off)", "N", defaults.Neighbours.Window);
        var neighbourWeight = OptionRules.Number("--neighbour-weight", "weight of that borrowed score", "W", defaults.Neighbours.Weight);
        var embeddingCache = OptionRules.Create<string>("--embedding-cache", "keep embeddings in file F and reuse them in later runs (same model only)", "F");
        var contextBudget = OptionRules.Create<string>("--context-budget",
            "also assemble each question's prompt sources as ask does, within N tokens (the embedding model's tokenizer, or characters/4 without one): " +
            "context recall, tokens, sources, per mode, beside the hits as retrieved (docs/llm.md)", "N[,N…]").NumberList(50, 1_000_000);
        var contextHits = OptionRules.Create("--context-hits", "ranked hits the sources are made from (ask's default topK)", "K[,K…]",
            EvalArgs.DefaultContextHits.ToString(CultureInfo.InvariantCulture)).NumberList(1, 100);
        var ranks = OptionRules.Create<string>("--ranks", "write \"question_id<TAB>rank\" per question (0 = not in top 100)", "FILE");
        var conversational = new Option<bool>("--conversational")
        {
            Description = "CMRC only: follow-ups (title replaced by 它/他) as asked, via the fallback, via the LLM rewrite (RAG_LLM_URL) and standalone",
        };
        var command = new Command("eval", "Indexes the passages of a QA file into a fresh local collection through the service's own ingestion and search code, " +
            "then prints recall@1/5/20, MRR@10, failure@20 and BM25 query throughput (a table, or JSON with --json).")
        {
            file, json, chunking, chunkSize, overlap, headers, analyzer, headerWeight, engine, mode, embeddingModel, rerankerModel, fusion, candidates,
            denseWeight, rrfK, neighbourWindow, neighbourWeight, embeddingCache, contextBudget, contextHits, ranks, conversational,
        };
        command.Validators.Add(result =>
        {
            var chosen = result.GetValue(mode);
            if (chosen is "dense" or "hybrid" or "hybrid+rerank" && result.GetValue(embeddingModel) is null)
            {
                result.AddError($"--mode {chosen} needs --embedding-model");
            }
            else if (chosen == "hybrid+rerank" && result.GetValue(rerankerModel) is null)
            {
                result.AddError("--mode hybrid+rerank needs --reranker-model");
            }
        });
        command.SetAction(parse =>
        {
            var retrieval = defaults with
            {
                RrfK = parse.GetValue(rrfK),
                Neighbours = defaults.Neighbours with { Window = parse.GetValue(neighbourWindow), Weight = parse.GetValue(neighbourWeight) },
            };
            var givenDenseWeight = parse.GetResult(denseWeight) is not null;
            if (givenDenseWeight)
            {
                retrieval = retrieval with { DenseWeight = parse.GetValue(denseWeight) };
            }

            retrieval.Neighbours.Validate();
            var analyzerName = parse.GetRequiredValue(analyzer);
            var embedding = parse.GetValue(embeddingModel);
            var reranking = parse.GetValue(rerankerModel);
            var chosen = parse.GetRequiredValue(mode);
            IReadOnlyList<string> modes = chosen == "all"
                ? new[] { "bm25", "dense", "hybrid", "hybrid+rerank" }.Where(m => m == "bm25" || (embedding is not null && (m != "hybrid+rerank" || reranking is not null))).ToList()
                : [chosen];
            var args = new EvalArgs(
                parse.GetRequiredValue(file).ToString(), parse.GetValue(json), parse.GetRequiredValue(chunking), parse.GetValue(chunkSize), parse.GetValue(overlap),
                parse.GetValue(headers), analyzerName switch { "bigram" => CjkSegmentation.Bigram, "unigram" => CjkSegmentation.Unigram, _ => CjkSegmentation.BigramAndUnigram },
                parse.GetValue(headerWeight), parse.GetValue(ranks), parse.GetRequiredValue(engine), modes, embedding, reranking, analyzerName == "smartcn",
                parse.GetValue(conversational))
            {
                Fusion = parse.GetValue(fusion) switch
                {
                    "rrf" => FusionMethod.Rrf,
                    "weighted" => FusionMethod.Weighted,
                    "calibrated" => FusionMethod.Calibrated,
                    _ => givenDenseWeight ? FusionMethod.Weighted : FusionMethod.Calibrated,
                },
                Candidates = parse.GetValue(candidates),
                Retrieval = retrieval,
                EmbeddingCache = parse.GetValue(embeddingCache),
                ContextBudgets = OptionRules.ParseNumberList(parse.GetValue(contextBudget)),
                ContextHits = OptionRules.ParseNumberList(parse.GetValue(contextHits)),
            };
            return EvalCommand.RunAsync(args);
        });
        return command;
    }
}
