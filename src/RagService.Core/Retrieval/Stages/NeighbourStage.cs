using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval.Stages;

/// <summary>The fused candidates re-ranked with their neighbours' evidence (<see cref="NeighbourEvidence"/>), "neighbours".</summary>
public sealed class NeighbourStage(IKnowledgeStore store, RetrievalOptions options) : ISearchStage
{
    public string Name => "neighbours";

    public async Task<StageResult?> RunAsync(SearchContext context)
    {
        var neighbours = options.Neighbours;
        if (!context.Fused)
        {
            return StageResult.Skipped("one retriever ranked the candidates: nothing was fused");
        }

        if (!neighbours.Enabled)
        {
            return StageResult.Off("turned off (Rag:Retrieval:Neighbours)");
        }

        if (context.Ranked.Count == 0)
        {
            return StageResult.Skipped("no candidates");
        }

        var positions = await store.GetChunkPositionsAsync(context.Ranked.Select(f => f.Id).ToList(), context.CancellationToken);
        var ranked = NeighbourEvidence.Apply(context.Ranked, positions, neighbours);
        foreach (var (id, _, neighbourhood) in ranked)
        {
            context.Provenance[id] = context.Provenance[id] with { NeighbourhoodScore = neighbourhood };
        }

        context.Ranked = ranked.Select(r => (r.Id, r.Score)).ToList();
        return StageResult.Ok(ranked.Count, FormattableString.Invariant(
            $"fused score + {neighbours.Weight} x the best fused score within {neighbours.Window} chunk(s) of it in its document"));
    }
}
