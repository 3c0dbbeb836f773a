using RagService.Core.Storage;

namespace RagService.Core.Retrieval;

/// <summary>How far and how strongly a fused candidate borrows evidence from its neighbours ("Rag:Retrieval:Neighbours").</summary>
public sealed record NeighbourEvidenceOptions
{
    /// <summary>Chunks on each side, in reading order within the same document, that count as a candidate's neighbourhood; 0 turns the step off.</summary>
    public int Window { get; init; } = 1;

    /// <summary>Weight of the neighbourhood's best score against the candidate's own (1: the chunk and its context count equally).</summary>
    public double Weight { get; init; } = 1.0;

    public bool Enabled => Window > 0 && Weight > 0;

    public void Validate()
    {
        if (Window is < 0 or > 10 || !double.IsFinite(Weight) || Weight < 0)
        {
            throw new ArgumentException($"Rag:Retrieval:Neighbours needs 0 <= Window <= 10 and a finite Weight >= 0; got Window {Window}, Weight {Weight}");
        }
    }
}

/// <summary>
/// Re-ranks fused candidates with the evidence of their neighbourhood: the answer to a question often sits next to the
/// passage that matches its wording, so a chunk beside a strong match is more likely relevant than an equally scored
/// chunk on its own. Rules:
/// <list type="bullet">
/// <item>score'(c) = score(c) + Weight · max{ score(n) : n a candidate of the same document with |ordinal(n) − ordinal(c)| ≤ Window };
/// c itself is in its neighbourhood, so a chunk with no candidate beside it gets score(c) · (1 + Weight).</item>
/// <item>Scores must be non-negative (weighted and reciprocal-rank fusion both are). The best candidate keeps rank 1:
/// no score' can exceed its score · (1 + Weight).</item>
/// <item>Only candidates count as neighbours; a chunk neither retriever returned adds nothing. Chunks without a known
/// position (deleted meanwhile) are their own neighbourhood.</item>
/// <item>Ties keep the fused order.</item>
/// </list>
/// </summary>
public static class NeighbourEvidence
{
    /// <summary>The re-ranked candidates, each with its new score and the best score of its neighbourhood.</summary>
    public static IReadOnlyList<(long Id, double Score, double Neighbourhood)> Apply(
        IReadOnlyList<(long Id, double Score)> fused, IReadOnlyDictionary<long, ChunkPosition> positions, NeighbourEvidenceOptions options)
    {
        var byDocument = new Dictionary<long, Dictionary<int, double>>();
        foreach (var (id, score) in fused)
        {
            if (positions.TryGetValue(id, out var p))
            {
                var ordinals = byDocument.TryGetValue(p.DocumentKey, out var d) ? d : byDocument[p.DocumentKey] = [];
                ordinals[p.Ordinal] = score;
            }
        }

        return fused.Select((c, order) => (c.Id, Best: Neighbourhood(c, positions, byDocument, options.Window), c.Score, Order: order))
            .Select(c => (c.Id, Score: c.Score + options.Weight * c.Best, c.Best, c.Order))
            .OrderByDescending(c => c.Score).ThenBy(c => c.Order)
            .Select(c => (c.Id, c.Score, c.Best)).ToList();
    }

    private static double Neighbourhood(
        (long Id, double Score) candidate, IReadOnlyDictionary<long, ChunkPosition> positions, Dictionary<long, Dictionary<int, double>> byDocument, int window)
    {
        if (!positions.TryGetValue(candidate.Id, out var p))
        {
            return candidate.Score;
        }

        var ordinals = byDocument[p.DocumentKey];
        var best = candidate.Score;
        for (var o = p.Ordinal - window; o <= p.Ordinal + window; o++)
        {
            if (ordinals.TryGetValue(o, out var s) && s > best)
            {
                best = s;
            }
        }

        return best;
    }
}
