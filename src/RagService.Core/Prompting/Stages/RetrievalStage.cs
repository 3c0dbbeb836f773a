using RagService.Core.Prompting.Pipeline;
using RagService.Core.Retrieval;

namespace RagService.Core.Prompting.Stages;

/// <summary>Runs the search pipeline on the retrieval query; the search records its own stages.</summary>
public sealed class RetrievalStage(SearchService search) : IAskStage
{
    public async Task<StageReport?> RunAsync(AskContext context)
    {
        context.Retrieval = await search.SearchAsync(context.Collection, context.RetrievalQuery, context.CancellationToken);
        return null;
    }
}
