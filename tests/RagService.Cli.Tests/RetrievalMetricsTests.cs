using RagService.Cli.Eval;

namespace RagService.Cli.Tests;

/// <summary>The metrics behind the README's retrieval table, on rankings small enough to compute by hand.</summary>
public sealed class RetrievalMetricsTests
{
    [Fact]
    public void Ranks_1_2_miss_1()
    {
        var m = RetrievalMetrics.From([1, 2, 0, 1]);

        Assert.Equal(4, m.Questions);
        Assert.Equal(2.0 / 4, m.RecallAt1, 12);         // ranks 1 and 1
        Assert.Equal(3.0 / 4, m.RecallAt5, 12);         // 1, 2, 1
        Assert.Equal(3.0 / 4, m.RecallAt20, 12);
        Assert.Equal((1 + 0.5 + 0 + 1) / 4, m.MrrAt10, 12); // 0.625
        Assert.Equal(1.0 / 4, m.FailureAt20, 12);
    }

    [Fact]
    public void Cut_offs_are_inclusive_and_mrr_stops_at_10()
    {
        var m = RetrievalMetrics.From([3, 10, 11, 20, 21]);

        Assert.Equal(0, m.RecallAt1, 12);
        Assert.Equal(1.0 / 5, m.RecallAt5, 12);                  // 3
        Assert.Equal(4.0 / 5, m.RecallAt20, 12);                 // 3, 10, 11, 20
        Assert.Equal((1.0 / 3 + 1.0 / 10) / 5, m.MrrAt10, 12);    // 11 and 20 add nothing
        Assert.Equal(1.0 / 5, m.FailureAt20, 12);                // 21
    }
}
