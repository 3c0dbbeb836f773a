using RagService.Core.Indexing;
using RagService.Core.Retrieval.Pipeline;

namespace RagService.Core.Retrieval.Stages;

/// <summary>Marks BM25's query terms in the returned hits' passages (the hits' "snippet"); not reported as a stage.</summary>
public sealed class HighlightStage(IHitHighlighter highlighter) : ISearchStage
{
    public string Name => "highlight";

    public Task<StageResult?> RunAsync(SearchContext context)
    {
        var top = (context.Ordered ?? []).Take(context.Query.TopK).ToList();
        if (context.QueryTerms is { } terms && top.Count > 0)
        {
            var snippets = highlighter.Highlight(context.Collection.Settings.Analyzer, terms, top.Select(h => h.Chunk.Text).ToList());
            for (var i = 0; i < top.Count; i++)
            {
                context.Snippets[top[i].Chunk.ChunkId] = snippets[i];
            }
        }

        return Task.FromResult<StageResult?>(null);
    }
}
