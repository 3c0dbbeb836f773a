using System.Diagnostics;
using RagService.Core.Models;
using RagService.Core.Retrieval.Pipeline;

namespace RagService.Core.Retrieval.Stages;

/// <summary>
/// Rescores the top fused candidates (at least top K, <see cref="RetrievalOptions.RerankCandidates"/>) with the
/// cross-encoder and orders them by its score ("rerank"); equal scores keep the fused order.
/// </summary>
public sealed class RerankStage(IReranker reranker, RetrievalOptions options) : ISearchStage
{
    public const string StageName = "rerank";

    /// <summary>The stage without a cross-encoder: "off", and rerank: true is refused.</summary>
    public static OffStage Off { get; } = new(StageName, "no reranker model configured", query => query.Rerank == true
        ? "reranking is off: no cross-encoder is configured (set Rag:Reranker:ModelDirectory)"
        : null);

    public string Name => StageName;

    public async Task<StageResult?> RunAsync(SearchContext context)
    {
        if (context.Query.Rerank == false || context.Ranked.Count == 0)
        {
            return StageResult.Skipped(context.Ranked.Count == 0 ? "no candidates" : "rerank: false");
        }

        var ids = context.Ranked.Take(Math.Max(options.RerankCandidates, context.Query.TopK)).Select(r => r.Id).ToList();
        var chunks = await context.ReadChunksAsync(ids);
        var watch = Stopwatch.StartNew();
        var scores = await reranker.ScoreAsync(context.Query.Query, chunks.Select(c => c.Text).ToList(), context.CancellationToken);
        for (var i = 0; i < chunks.Count; i++)
        {
            context.Provenance[chunks[i].ChunkId] = context.Provenance[chunks[i].ChunkId] with { RerankScore = scores[i] };
        }

        context.Ordered = chunks.Select((c, i) => (Chunk: c, Score: (double)scores[i], Index: i))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index).Select(x => (x.Chunk, x.Score)).ToList();
        context.Reranked = true;
        return StageResult.Ok(chunks.Count, ModelDescription.Of(reranker.ModelId, reranker.ExecutionProvider)) with
        {
            Milliseconds = watch.Elapsed.TotalMilliseconds,
        };
    }
}
