using System.Diagnostics;
using RagService.Core.Diagnostics;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Retrieval;

/// <summary>
/// The query path: analyze the question; run BM25 and dense retrieval in parallel; fuse them (calibrated weighted or
/// reciprocal-rank fusion) and re-rank the fused list with each candidate's neighbourhood; rerank the top-N with the
/// cross-encoder; keep the top K. Every stage is reported with its candidates and
/// milliseconds; a stage without a model is reported as "off", never silently skipped.
/// </summary>
public sealed class SearchService(
    IKnowledgeStore store, ILexicalSearchIndex lexical, AnalyzerCatalog analyzers, IVectorSearchIndex? vectors = null,
    ITextEmbedder? embedder = null, IReranker? reranker = null, RetrievalOptions? options = null, IHitHighlighter? highlighter = null,
    FusionCalibrationService? calibration = null)
{
    private readonly RetrievalOptions _options = options ?? new RetrievalOptions();

    public bool DenseAvailable => embedder is not null && vectors is not null;

    public bool RerankAvailable => reranker is not null;

    public async Task<SearchOutcome> SearchAsync(CollectionInfo collection, SearchQuery query, CancellationToken ct)
    {
        if (query.Mode == RetrievalMode.Dense && !DenseAvailable)
        {
            throw new StageUnavailableException("dense retrieval is off: no embedding model is configured (set Rag:Embedding:ModelDirectory)");
        }

        if (query.Rerank == true && reranker is null)
        {
            throw new StageUnavailableException("reranking is off: no cross-encoder is configured (set Rag:Reranker:ModelDirectory)");
        }

        using var activity = RagTelemetry.Source.StartActivity("rag.search");
        activity?.SetTag("rag.collection", collection.Name);
        var startedAt = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        var stages = new List<StageReport>();
        var candidates = Math.Max(query.Candidates, query.TopK);
        var runBm25 = query.Mode != RetrievalMode.Dense;
        var calibrationWatch = Stopwatch.StartNew();
        // Never waits for a calibration: the stored one (even stale) or RRF while there is none (FusionCalibrationService).
        var calibrationState = query.Mode == RetrievalMode.Hybrid && query.Fusion == FusionMethod.Calibrated && DenseAvailable && calibration is not null
            ? await calibration.InUseAsync(collection, ct)
            : null;
        var calibrated = calibrationState?.Calibration;
        var calibrationMs = calibrationWatch.Elapsed.TotalMilliseconds;
        var runDense = query.Mode != RetrievalMode.Bm25 && DenseAvailable && calibrated?.DenseOff != true;

        var bm25Task = runBm25 ? TimedAsync(() => Bm25Async(collection, query, candidates, ct)) : null;
        var denseTask = runDense ? TimedAsync(() => DenseAsync(collection, query, candidates, ct)) : null;
        ((IReadOnlyList<ScoredChunk> Hits, IReadOnlyList<string> QueryTerms) Result, double Ms)? bm25 = bm25Task is null ? null : await bm25Task;
        (IReadOnlyList<ScoredChunk> Result, double Ms)? dense = null;
        string? denseFailure = null;
        try
        {
            dense = denseTask is null ? null : await denseTask;
        }
        catch (Exception e) when (e is not OperationCanceledException && query.Mode != RetrievalMode.Dense)
        {
            // A broken vector index (e.g. its snapshot folder unusable) must not take BM25 down with it.
            denseFailure = e.Message;
        }

        if (bm25 is { } b)
        {
            stages.Add(new StageReport("bm25", "ok", b.Result.Hits.Count, b.Ms, $"{b.Result.QueryTerms.Count} query terms", lexical.Engine));
        }
        else
        {
            stages.Add(new StageReport("bm25", "skipped", 0, 0, "mode dense"));
        }

        if (dense is { } d)
        {
            stages.Add(new StageReport("dense", "ok", d.Result.Count, d.Ms, Describe(embedder!.ModelId, embedder.ExecutionProvider), vectors!.Engine));
        }
        else if (denseFailure is not null)
        {
            stages.Add(new StageReport("dense", "failed", 0, 0, denseFailure));
        }
        else if (calibrated?.DenseOff == true)
        {
            stages.Add(new StageReport("dense", "off", 0, 0, $"off for this collection by calibration: {calibrated.Reason}"));
        }
        else
        {
            stages.Add(!DenseAvailable
                ? new StageReport("dense", "off", 0, 0, "no embedding model configured")
                : new StageReport("dense", "skipped", 0, 0, "mode bm25"));
        }

        var sw = Stopwatch.StartNew();
        IReadOnlyList<ScoredChunk> bm25Hits = bm25?.Result.Hits ?? [];
        IReadOnlyList<ScoredChunk> denseHits = dense?.Result ?? [];
        var provenance = new Dictionary<long, HitProvenance>();
        for (var i = 0; i < bm25Hits.Count; i++)
        {
            provenance[bm25Hits[i].ChunkId] = new HitProvenance(i + 1, bm25Hits[i].Score, null, null, null, null);
        }

        for (var i = 0; i < denseHits.Count; i++)
        {
            var p = provenance.GetValueOrDefault(denseHits[i].ChunkId) ?? new HitProvenance(null, null, null, null, null, null);
            provenance[denseHits[i].ChunkId] = p with { DenseRank = i + 1, DenseScore = denseHits[i].Score };
        }

        List<(long Id, double Score)> ranked;
        if (bm25 is not null && dense is not null)
        {
            var (weighted, denseWeight, how) = FusionOf(query, calibrationState);
            ranked = (weighted
                ? WeightedScoreFusion.Fuse(bm25Hits.Select(h => (h.ChunkId, h.Score)).ToList(), denseHits.Select(h => (h.ChunkId, h.Score)).ToList(), denseWeight)
                : ReciprocalRankFusion.Fuse([bm25Hits.Select(h => h.ChunkId).ToList(), denseHits.Select(h => h.ChunkId).ToList()], _options.RrfK)).ToList();
            foreach (var (id, score) in ranked)
            {
                provenance[id] = provenance[id] with { FusionScore = score };
            }

            stages.Add(new StageReport("fusion", "ok", ranked.Count, sw.Elapsed.TotalMilliseconds + calibrationMs, how));
            ranked = await WithNeighbourEvidenceAsync(ranked, provenance, stages, ct);
        }
        else
        {
            ranked = (bm25Hits.Count > 0 ? bm25Hits : denseHits).Select(h => (h.ChunkId, h.Score)).ToList();
            stages.Add(new StageReport("fusion", "skipped", ranked.Count, calibrationMs, calibrated?.DenseOff == true ? calibrationState!.DescribeInUse() : "one retriever"));
            stages.Add(new StageReport("neighbours", "skipped", 0, 0, "one retriever ranked the candidates: nothing was fused"));
        }

        var useRerank = reranker is not null && query.Rerank != false && ranked.Count > 0;
        var fetchIds = (useRerank ? ranked.Take(Math.Max(_options.RerankCandidates, query.TopK)) : ranked.Take(query.TopK)).Select(r => r.Id).ToList();
        sw.Restart();
        var chunks = await store.GetChunksAsync(fetchIds, ct);
        var fetchMs = sw.Elapsed.TotalMilliseconds;
        var scoreOf = ranked.ToDictionary(r => r.Id, r => r.Score);
        IEnumerable<(StoredChunk Chunk, double Score)> ordered = chunks.Select(c => (c, scoreOf[c.ChunkId]));

        if (useRerank)
        {
            sw.Restart();
            var scores = await reranker!.ScoreAsync(query.Query, chunks.Select(c => c.Text).ToList(), ct);
            for (var i = 0; i < chunks.Count; i++)
            {
                provenance[chunks[i].ChunkId] = provenance[chunks[i].ChunkId] with { RerankScore = scores[i] };
            }

            // Stable sort: equal cross-encoder scores keep the fused order.
            ordered = chunks.Select((c, i) => (Chunk: c, Score: (double)scores[i], Index: i))
                .OrderByDescending(x => x.Score).ThenBy(x => x.Index).Select(x => (x.Chunk, x.Score)).ToList();
            stages.Add(new StageReport("rerank", "ok", chunks.Count, sw.Elapsed.TotalMilliseconds, Describe(reranker.ModelId, reranker.ExecutionProvider)));
        }
        else
        {
            stages.Add(reranker is null
                ? new StageReport("rerank", "off", 0, 0, "no reranker model configured")
                : new StageReport("rerank", "skipped", 0, 0, ranked.Count == 0 ? "no candidates" : "rerank: false"));
        }

        var hits = ordered.Take(query.TopK).Select((x, i) => new SearchHit(i + 1, x.Score, x.Chunk, provenance[x.Chunk.ChunkId])).ToList();
        if (highlighter is not null && bm25 is { } lexicalRun && hits.Count > 0)
        {
            var snippets = highlighter.Highlight(collection.Settings.Analyzer, lexicalRun.Result.QueryTerms, hits.Select(h => h.Chunk.Text).ToList());
            hits = hits.Select((h, i) => h with { Provenance = h.Provenance with { Snippet = snippets[i] } }).ToList();
        }

        stages.Add(new StageReport("fetch", "ok", chunks.Count, fetchMs));
        var ran = bm25 is not null && dense is not null ? RetrievalMode.Hybrid : bm25 is not null ? RetrievalMode.Bm25 : RetrievalMode.Dense;
        var nothingMatched = false;
        if (ran == RetrievalMode.Bm25 && !useRerank)
        {
            sw.Restart();
            var floor = await LexicalFloorAsync(collection, query, ct);
            nothingMatched = floor.Verdict == "not found";
            stages.Add(new StageReport("floor", floor.Verdict, floor.Matched, sw.Elapsed.TotalMilliseconds, floor.Detail));
        }

        RagTelemetry.RecordStages(stages, startedAt);
        return new SearchOutcome(hits, stages, total.Elapsed.TotalMilliseconds, ran, nothingMatched)
        {
            Candidates = ranked.Select(r => new CandidateTrace(r.Id, provenance[r.Id])).ToList(),
        };
    }

    /// <summary>The fused candidates re-ranked with their neighbours' evidence (<see cref="NeighbourEvidence"/>), reported as the "neighbours" stage.</summary>
    private async Task<List<(long Id, double Score)>> WithNeighbourEvidenceAsync(
        List<(long Id, double Score)> fused, Dictionary<long, HitProvenance> provenance, List<StageReport> stages, CancellationToken ct)
    {
        var options = _options.Neighbours;
        if (!options.Enabled || fused.Count == 0)
        {
            stages.Add(options.Enabled
                ? new StageReport("neighbours", "skipped", 0, 0, "no candidates")
                : new StageReport("neighbours", "off", 0, 0, "turned off (Rag:Retrieval:Neighbours)"));
            return fused;
        }

        var sw = Stopwatch.StartNew();
        var positions = await store.GetChunkPositionsAsync(fused.Select(f => f.Id).ToList(), ct);
        var ranked = NeighbourEvidence.Apply(fused, positions, options);
        foreach (var (id, _, neighbourhood) in ranked)
        {
            provenance[id] = provenance[id] with { NeighbourhoodScore = neighbourhood };
        }

        stages.Add(new StageReport("neighbours", "ok", ranked.Count, sw.Elapsed.TotalMilliseconds, FormattableString.Invariant(
            $"fused score + {options.Weight} x the best fused score within {options.Window} chunk(s) of it in its document")));
        return ranked.Select(r => (r.Id, r.Score)).ToList();
    }

    /// <summary>Weighted or reciprocal-rank fusion, the dense weight, and the fusion stage's detail.</summary>
    private (bool Weighted, double DenseWeight, string Detail) FusionOf(SearchQuery query, CalibrationState? state) => query.Fusion switch
    {
        FusionMethod.Weighted => (true, _options.DenseWeight, FormattableString.Invariant($"weighted dense={_options.DenseWeight}")),
        FusionMethod.Calibrated when state?.Calibration is { } calibrated => (true, calibrated.DenseWeight, state.DescribeInUse()),
        FusionMethod.Calibrated => (false, 0, FormattableString.Invariant(
            $"rrf k={_options.RrfK} ({(state is null ? "not calibrated: no calibration configured" : state.NotCalibrated)})")),
        _ => (false, 0, FormattableString.Invariant($"rrf k={_options.RrfK}")),
    };

    /// <summary>Without a reranker, BM25 returns whatever shares a common word with the query; the floor says when that is all it found.</summary>
    private async Task<(string Verdict, int Matched, string Detail)> LexicalFloorAsync(CollectionInfo collection, SearchQuery query, CancellationToken ct)
    {
        var terms = analyzers.For(collection.Settings).AnalyzeQuery(query.Query).Distinct(StringComparer.Ordinal).ToList();
        if (await lexical.GetTermStatisticsAsync(collection, terms, ct) is not { } statistics)
        {
            return ("skipped", 0, "the BM25 engine reports no term statistics");
        }

        if (statistics.Chunks < LexicalFloor.MinimumChunks)
        {
            return ("skipped", 0, $"{statistics.Chunks} chunks: too few to tell common terms from specific ones");
        }

        var meaningful = LexicalFloor.MeaningfulMatches(statistics);
        var detail = LexicalFloor.Describe(statistics);
        return (meaningful.Count == 0 ? "not found" : "ok", meaningful.Count, detail);
    }

    private async Task<(IReadOnlyList<ScoredChunk> Hits, IReadOnlyList<string> QueryTerms)> Bm25Async(CollectionInfo collection, SearchQuery query, int limit, CancellationToken ct)
    {
        var terms = analyzers.For(collection.Settings).AnalyzeQuery(query.Query);
        return (await lexical.SearchAsync(collection, terms, limit, query.Filter, ct), terms);
    }

    private async Task<IReadOnlyList<ScoredChunk>> DenseAsync(CollectionInfo collection, SearchQuery query, int limit, CancellationToken ct)
    {
        var embedded = await embedder!.EmbedAsync([query.Query], EmbeddingPurpose.Query, ct);
        return await vectors!.SearchAsync(collection, embedded[0], limit, query.Filter, ct);
    }

    private static async Task<(T Result, double Ms)> TimedAsync<T>(Func<Task<T>> run)
    {
        var sw = Stopwatch.StartNew();
        // Task.Run so BM25 and the query embedding really overlap even when one side completes synchronously.
        var result = await Task.Run(run);
        return (result, sw.Elapsed.TotalMilliseconds);
    }

    /// <summary>Stage detail naming the model and where it ran, e.g. "all-MiniLM-L6-v2 on cpu".</summary>
    private static string Describe(string modelId, string? executionProvider) =>
        executionProvider is null ? modelId : $"{modelId} on {executionProvider}";
}
