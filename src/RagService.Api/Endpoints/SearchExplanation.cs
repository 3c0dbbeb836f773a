using RagService.Api.Contracts;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Api.Endpoints;

/// <summary>Every candidate of a search with its per-stage ranks and scores, for `explain: true`.</summary>
internal static class SearchExplanation
{
    /// <summary>Characters of chunk text shown per candidate.</summary>
    public const int PreviewChars = 160;

    public static async Task<IReadOnlyList<CandidateResponse>> CandidatesAsync(SearchOutcome outcome, IKnowledgeStore store, CancellationToken ct)
    {
        var chunks = (await store.GetChunksAsync(outcome.Candidates.Select(c => c.ChunkId).ToList(), ct)).ToDictionary(c => c.ChunkId);
        var finalRank = outcome.Hits.ToDictionary(h => h.Chunk.ChunkId, h => h.Rank);
        return outcome.Candidates.Select((c, i) =>
        {
            var chunk = chunks.GetValueOrDefault(c.ChunkId);
            var p = c.Provenance;
            var preview = chunk is null ? null : chunk.Text.Length > PreviewChars ? chunk.Text[..PreviewChars] + "…" : chunk.Text;
            return new CandidateResponse(i + 1, finalRank.TryGetValue(c.ChunkId, out var r) ? r : null, c.ChunkId, chunk?.DocumentId, chunk?.DocumentTitle, chunk?.Page, preview,
                new HitScores(p.Bm25Rank, p.Bm25Score, p.DenseRank, p.DenseScore, p.FusionScore, p.RerankScore, p.NeighbourhoodScore));
        }).ToList();
    }
}
