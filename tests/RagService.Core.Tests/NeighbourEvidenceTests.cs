using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Core.Tests;

public sealed class NeighbourEvidenceTests
{
    // Document 1: chunk 1 (ordinal 0), chunk 2 (ordinal 1), chunk 4 (ordinal 3). Document 2: chunk 3 (ordinal 0), chunk 6 (ordinal 1).
    // Chunk 5 has no position (deleted after retrieval).
    private static readonly Dictionary<long, ChunkPosition> Positions = new()
    {
        [1] = new(1, 0),
        [2] = new(1, 1),
        [4] = new(1, 3),
        [3] = new(2, 0),
        [6] = new(2, 1),
    };

    private static readonly (long, double)[] Fused = [(1, 0.9), (3, 0.5), (4, 0.35), (2, 0.3), (5, 0.2)];

    [Fact]
    public void A_chunk_beside_a_strong_match_rises_above_an_equally_weak_chunk_on_its_own()
    {
        var ranked = NeighbourEvidence.Apply(Fused, Positions, new NeighbourEvidenceOptions { Window = 1, Weight = 1 });

        // By hand, window 1, weight 1: score + max(score in own ordinal ± 1 among candidates of the same document).
        // 1: 0.9 + max(0.9, 0.3) = 1.8   2: 0.3 + max(0.9, 0.3) = 1.2   3: 0.5 + 0.5 = 1.0
        // 4: 0.35 + 0.35 (ordinal 2 is no candidate, 4 not adjacent to 2) = 0.7   5: no position, 0.2 + 0.2 = 0.4
        Assert.Equal([1L, 2L, 3L, 4L, 5L], ranked.Select(r => r.Id).ToArray());
        var byId = ranked.ToDictionary(r => r.Id);
        Assert.Equal(1.8, byId[1].Score, 12);
        Assert.Equal(1.2, byId[2].Score, 12);
        Assert.Equal(0.9, byId[2].Neighbourhood, 12);
        Assert.Equal(1.0, byId[3].Score, 12);
        Assert.Equal(0.7, byId[4].Score, 12);
        Assert.Equal(0.4, byId[5].Score, 12);
    }

    [Fact]
    public void A_wider_window_and_a_smaller_weight_follow_the_same_formula()
    {
        var ranked = NeighbourEvidence.Apply(Fused, Positions, new NeighbourEvidenceOptions { Window = 2, Weight = 0.5 });

        // Window 2 reaches ordinal 3 from ordinal 1: chunk 4 sees chunk 2 (0.3 < 0.35, its own stays best), chunk 2 sees 1 and 4.
        // 1: 0.9 + 0.45 = 1.35   3: 0.5 + 0.25 = 0.75   2: 0.3 + 0.45 = 0.75   4: 0.35 + 0.175 = 0.525   5: 0.2 + 0.1 = 0.3
        // 3 and 2 tie at 0.75: the fused order (3 before 2) decides.
        Assert.Equal([1L, 3L, 2L, 4L, 5L], ranked.Select(r => r.Id).ToArray());
        Assert.Equal(0.75, ranked[1].Score, 12);
        Assert.Equal(0.75, ranked[2].Score, 12);
        Assert.Equal(0.525, ranked[3].Score, 12);
    }

    [Fact]
    public void Neighbours_are_never_taken_from_another_document()
    {
        // Chunk 6 is ordinal 1 like chunk 2, but of document 2: it borrows from chunk 3 (0.5), not from chunk 1 (0.9).
        var ranked = NeighbourEvidence.Apply([(1, 0.9), (3, 0.5), (6, 0.1)], Positions, new NeighbourEvidenceOptions());
        Assert.Equal(0.6, ranked.Single(r => r.Id == 6).Score, 12);
    }

    [Fact]
    public void The_best_fused_candidate_keeps_rank_one_whatever_its_neighbours()
    {
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var positions = Enumerable.Range(0, 30).ToDictionary(i => (long)i, _ => new ChunkPosition(random.Next(3), random.Next(12)));
            var fused = Enumerable.Range(0, 30).Select(i => ((long)i, random.NextDouble())).OrderByDescending(x => x.Item2).ToList();
            var options = new NeighbourEvidenceOptions { Window = random.Next(1, 4), Weight = random.NextDouble() * 3 };
            Assert.Equal(fused[0].Item1, NeighbourEvidence.Apply(fused, positions, options)[0].Id);
        }
    }

    [Theory]
    [InlineData(-1, 1.0)]
    [InlineData(11, 1.0)]
    [InlineData(1, -0.5)]
    [InlineData(1, double.NaN)]
    public void Out_of_range_options_are_refused_naming_the_setting(int window, double weight)
    {
        var e = Assert.Throws<ArgumentException>(() => new NeighbourEvidenceOptions { Window = window, Weight = weight }.Validate());
        Assert.Contains("Rag:Retrieval:Neighbours", e.Message);
    }
}
