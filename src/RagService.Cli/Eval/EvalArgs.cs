using System.Globalization;
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

    public const string Usage = """
        rag eval FILE [options]
          FILE                 CMRC 2018 JSON or JSONL ({question, answers[], passages[{title, text}]} per line)
          --json               print one JSON object (recall@1, recall@5, recall@20, mrr@10, failure@20, qps, ...)
          --chunking MODE      anchor (Lucene anchor's 200-char sentence packing, default) | structured
          --chunk-size N       largest chunk in characters (default 200)
          --overlap N          overlap for structured chunking (default 0)
          --headers            index document title + heading path with every chunk (contextual headers)
          --analyzer A         bigram+unigram (default) | bigram | unigram (the mixed analyzer) | smartcn (Lucene SmartChineseAnalyzer)
          --header-weight W    BM25 weight of the header column (default 4, as the service)
          --bm25-engine E      memory (default, as the service) | lucene
          --mode M             bm25 (default) | dense | hybrid | hybrid+rerank | all (every mode the models allow, side by side)
          --embedding-model D  ONNX embedding model directory (model.onnx + tokenizer.json or vocab.txt) for dense/hybrid
          --reranker-model D   ONNX cross-encoder directory for hybrid+rerank
          --fusion F           how hybrid fuses: calibrated (default, as a new collection) | weighted | rrf
          --candidates N       candidates per retriever before fusion (default 100, as the service)
          --dense-weight W     dense weight of weighted fusion, 0..1 (default 0.5; implies --fusion weighted unless --fusion is given)
          --rrf-k K            k of reciprocal-rank fusion (default 60)
          --neighbour-window N chunks on each side whose fused score a hybrid candidate borrows (default 1; 0 = off)
          --neighbour-weight W weight of that borrowed score (default 1)
          --embedding-cache F  keep embeddings in file F and reuse them in later runs (same model only)
          --context-budget N[,N…]  also assemble each question's prompt sources as ask does, within N tokens (the embedding
                               model's tokenizer, or characters/4 without one): context recall, tokens, sources, per mode,
                               beside the hits as retrieved (docs/llm.md)
          --context-hits K[,K…]    ranked hits the sources are made from (default 5, ask's default topK)
          --ranks FILE         write "question_id<TAB>rank" per question (0 = not in top 100)
          --conversational     CMRC only: follow-ups (title replaced by 它/他) as asked, via the fallback, via the LLM rewrite (RAG_LLM_URL) and standalone
        """;

    public static EvalArgs Parse(IReadOnlyList<string> args)
    {
        string? file = null;
        bool json = false, headers = false, conversational = false;
        string chunking = "anchor";
        int size = 200, overlap = 0;
        var cjk = CjkSegmentation.BigramAndUnigram;
        var smartCn = false;
        double headerWeight = 4.0;
        string? ranks = null;
        var engine = "memory";
        var mode = "bm25";
        string? embeddingModel = null, rerankerModel = null;
        FusionMethod? fusion = null;
        var candidates = new SearchQuery { Query = "" }.Candidates;
        var retrieval = new RetrievalOptions();
        string? embeddingCache = null;
        IReadOnlyList<int> budgets = [];
        IReadOnlyList<int> contextHits = [DefaultContextHits];
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--json": json = true; break;
                case "--headers": headers = true; break;
                case "--conversational": conversational = true; break;
                case "--chunking":
                    chunking = Next();
                    if (chunking is not ("anchor" or "structured"))
                    {
                        throw new ArgumentException("--chunking must be anchor or structured");
                    }

                    break;
                case "--chunk-size": size = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--overlap": overlap = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--header-weight": headerWeight = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--ranks": ranks = Next(); break;
                case "--bm25-engine": engine = Next(); break;
                case "--mode": mode = Next(); break;
                case "--embedding-model": embeddingModel = Next(); break;
                case "--reranker-model": rerankerModel = Next(); break;
                case "--embedding-cache": embeddingCache = Next(); break;
                case "--fusion":
                    fusion = Next() switch
                    {
                        "rrf" => FusionMethod.Rrf,
                        "weighted" => FusionMethod.Weighted,
                        "calibrated" => FusionMethod.Calibrated,
                        var other => throw new ArgumentException($"--fusion must be rrf, weighted or calibrated, not '{other}'"),
                    };
                    break;
                case "--candidates":
                    candidates = int.Parse(Next(), CultureInfo.InvariantCulture);
                    if (candidates < 1)
                    {
                        throw new ArgumentException("--candidates must be at least 1");
                    }

                    break;
                case "--dense-weight":
                    var weight = double.Parse(Next(), CultureInfo.InvariantCulture);
                    retrieval = retrieval with { DenseWeight = weight is >= 0 and <= 1 ? weight : throw new ArgumentException("--dense-weight must be between 0 and 1") };
                    fusion ??= FusionMethod.Weighted;
                    break;
                case "--rrf-k":
                    var k = int.Parse(Next(), CultureInfo.InvariantCulture);
                    retrieval = retrieval with { RrfK = k >= 1 ? k : throw new ArgumentException("--rrf-k must be at least 1") };
                    break;
                case "--neighbour-window":
                    var window = int.Parse(Next(), CultureInfo.InvariantCulture);
                    retrieval = retrieval with { Neighbours = retrieval.Neighbours with { Window = window } };
                    break;
                case "--neighbour-weight":
                    var neighbourWeight = double.Parse(Next(), CultureInfo.InvariantCulture);
                    retrieval = retrieval with { Neighbours = retrieval.Neighbours with { Weight = neighbourWeight } };
                    break;
                case "--context-budget":
                    budgets = PositiveList(args[i], Next(), 50, 1_000_000);
                    break;
                case "--context-hits":
                    contextHits = PositiveList(args[i], Next(), 1, 100);
                    break;
                case "--analyzer":
                    var name = Next();
                    smartCn = name == "smartcn";
                    cjk = smartCn ? cjk : name switch
                    {
                        "bigram+unigram" => CjkSegmentation.BigramAndUnigram,
                        "bigram" => CjkSegmentation.Bigram,
                        "unigram" => CjkSegmentation.Unigram,
                        var other => throw new ArgumentException($"unknown analyzer '{other}'"),
                    };
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || file is not null)
                    {
                        throw new ArgumentException($"unexpected argument '{args[i]}'");
                    }

                    file = args[i];
                    break;
            }
        }

        if (file is null)
        {
            throw new ArgumentException("the QA file is missing");
        }

        if (!System.IO.File.Exists(file))
        {
            throw new ArgumentException($"no such file: {file}");
        }

        string[] all = ["bm25", "dense", "hybrid", "hybrid+rerank"];
        IReadOnlyList<string> modes = mode == "all"
            ? all.Where(m => m == "bm25" || (embeddingModel is not null && (m != "hybrid+rerank" || rerankerModel is not null))).ToList()
            : Array.IndexOf(all, mode) >= 0 ? [mode] : throw new ArgumentException($"unknown mode '{mode}'");
        if (modes.Any(m => m != "bm25") && embeddingModel is null)
        {
            throw new ArgumentException($"--mode {mode} needs --embedding-model");
        }

        if (modes.Contains("hybrid+rerank") && rerankerModel is null)
        {
            throw new ArgumentException("--mode hybrid+rerank needs --reranker-model");
        }

        retrieval.Neighbours.Validate();
        return new EvalArgs(file, json, chunking, size, overlap, headers, cjk, headerWeight, ranks, engine, modes, embeddingModel, rerankerModel, smartCn, conversational)
        {
            Fusion = fusion ?? FusionMethod.Calibrated,
            Candidates = candidates,
            Retrieval = retrieval,
            EmbeddingCache = embeddingCache,
            ContextBudgets = budgets,
            ContextHits = contextHits,
        };
    }

    /// <summary>"500,1000,2000" as numbers, each within [min, max].</summary>
    private static List<int> PositiveList(string option, string value, int min, int max)
    {
        var numbers = new List<int>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            {
                throw new ArgumentException($"{option} takes comma-separated whole numbers from {min} to {max}; '{part}' is not one");
            }

            numbers.Add(n);
        }

        return numbers.Distinct().Order().ToList();
    }
}
