using RagService.Core.Context;
using RagService.Core.Prompting.Pipeline;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Core.Prompting.Stages;

/// <summary>
/// The "context" stage, after rerank and the floors: this turn's hits grown with their neighbours, merged and packed into
/// the token budget (<see cref="ContextAssembler"/>), reading the neighbours from the store.
/// </summary>
public sealed class ContextStage(ContextAssembler assembler, IKnowledgeStore store) : IAskStage
{
    public async Task<StageReport?> RunAsync(AskContext context)
    {
        var hits = context.Retrieval?.Hits ?? [];
        context.Context = await assembler.AssembleAsync(hits, new StoreChunkNeighbours(store, context.Collection), context.CancellationToken);
        return context.Context.Stage;
    }
}
