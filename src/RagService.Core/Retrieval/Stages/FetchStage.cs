using RagService.Core.Retrieval.Pipeline;

namespace RagService.Core.Retrieval.Stages;

/// <summary>
/// Reads the returned candidates' chunks from the store ("fetch"): the top K in ranked order, unless the reranker
/// already read its candidates. Reported after rerank, though the read happens before the reranker scores.
/// </summary>
public sealed class FetchStage : ISearchStage
{
    public string Name => "fetch";

    public async Task<StageResult?> RunAsync(SearchContext context)
    {
        var chunks = await context.ReadChunksAsync(context.Ranked.Take(context.Query.TopK).Select(r => r.Id).ToList());
        if (!context.Reranked)
        {
            var scoreOf = context.Ranked.ToDictionary(r => r.Id, r => r.Score);
            context.Ordered = chunks.Select(c => (c, scoreOf[c.ChunkId])).ToList();
        }

        return StageResult.Ok(chunks.Count) with { Milliseconds = context.FetchMilliseconds };
    }
}
