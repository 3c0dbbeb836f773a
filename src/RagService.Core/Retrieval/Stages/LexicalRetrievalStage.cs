using RagService.Core.Indexing;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Retrieval.Stages;

/// <summary>BM25: the query analyzed with the collection's analyzer, searched in the lexical index ("bm25").</summary>
public sealed class LexicalRetrievalStage(ILexicalSearchIndex lexical, AnalyzerCatalog analyzers) : IRetrievalStage
{
    public string Name => "bm25";

    public async Task<StageResult?> RunAsync(SearchContext context)
    {
        if (context.Query.Mode == RetrievalMode.Dense)
        {
            return StageResult.Skipped("mode dense");
        }

        var terms = analyzers.For(context.Collection.Settings).AnalyzeQuery(context.Query.Query);
        context.LexicalHits = await lexical.SearchAsync(context.Collection, terms, context.Candidates, context.Query.Filter, context.CancellationToken);
        context.QueryTerms = terms;
        return StageResult.Ok(context.LexicalHits.Count, $"{terms.Count} query terms", lexical.Engine);
    }
}
