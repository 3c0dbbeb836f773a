using RagService.Core.Indexing;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Retrieval.Stages;

/// <summary>
/// Without a reranker, BM25 returns whatever shares a common word with the query; the floor ("floor") says when that is
/// all it found (<see cref="LexicalFloor"/>). Judged only when BM25 alone ranked the hits; otherwise not reported.
/// </summary>
public sealed class LexicalFloorStage(ILexicalSearchIndex lexical, AnalyzerCatalog analyzers) : ISearchStage
{
    public string Name => "floor";

    public async Task<StageResult?> RunAsync(SearchContext context)
    {
        if (context.RanMode != RetrievalMode.Bm25 || context.Reranked)
        {
            return null;
        }

        var terms = analyzers.For(context.Collection.Settings).AnalyzeQuery(context.Query.Query).Distinct(StringComparer.Ordinal).ToList();
        if (await lexical.GetTermStatisticsAsync(context.Collection, terms, context.CancellationToken) is not { } statistics)
        {
            return new StageResult(StageStatus.Skipped, 0, "the BM25 engine reports no term statistics");
        }

        if (statistics.Chunks < LexicalFloor.MinimumChunks)
        {
            return new StageResult(StageStatus.Skipped, 0, $"{statistics.Chunks} chunks: too few to tell common terms from specific ones");
        }

        var meaningful = LexicalFloor.MeaningfulMatches(statistics);
        context.NothingSpecificMatched = meaningful.Count == 0;
        return new StageResult(meaningful.Count == 0 ? StageStatus.NotFound : StageStatus.Ok, meaningful.Count, LexicalFloor.Describe(statistics));
    }
}
