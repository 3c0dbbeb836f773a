using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval.Stages;

/// <summary>
/// The fused candidates re-ranked with their neighbours' evidence (<see cref="NeighbourEvidence"/>), "neighbours". Inside a
/// <see cref="LocalStateScope"/> with the store unreachable, the positions come from the chunks this replica holds (its
/// chunk cache and local copy, <see cref="HitChunkSource"/>) when it holds every candidate; otherwise the stage is
/// skipped (saying so) rather than ranking by a part of the neighbourhoods.
/// </summary>
public sealed class NeighbourStage(IKnowledgeStore store, RetrievalOptions options, HitChunkSource? chunks = null) : ISearchStage
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

        var ids = context.Ranked.Select(f => f.Id).ToList();
        IReadOnlyDictionary<long, ChunkPosition> positions;
        try
        {
            positions = await store.GetChunkPositionsAsync(ids, context.CancellationToken);
        }
        catch (StorageUnavailableException fault) when (LocalStateScope.Current is { } scope && chunks is not null)
        {
            scope.Degrade(fault);
            positions = chunks.HeldPositions(context.Collection, ids);
            if (positions.Count < ids.Count)
            {
                return StageResult.Skipped($"the store is unreachable and this replica holds {positions.Count} of the {ids.Count} candidates' chunks");
            }
        }

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
