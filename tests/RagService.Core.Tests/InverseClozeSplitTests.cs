using RagService.Core.Retrieval.Calibration;

namespace RagService.Core.Tests;

/// <summary>The calibration's pseudo-queries, against splits worked out by hand.</summary>
public sealed class InverseClozeSplitTests
{
    [Fact]
    public void English_middle_third_is_the_query_removed_from_one_target_and_half_kept_in_the_other()
    {
        var split = InverseClozeSplit.Of("alpha beta gamma delta epsilon zeta eta theta iota")!;
        Assert.Equal("delta epsilon zeta", split.Query);
        Assert.Equal("alpha beta gamma eta theta iota", split.HeldOut);
        Assert.Equal("alpha beta gamma delta zeta eta theta iota", split.Overlapping);
    }

    [Fact]
    public void Chinese_is_split_by_character()
    {
        var split = InverseClozeSplit.Of("一二三四五六七八九")!;
        Assert.Equal("四五六", split.Query);
        Assert.Equal("一二三 七八九", split.HeldOut);
        Assert.Equal("一二三四六七八九", split.Overlapping);
    }

    [Fact]
    public void Too_short_a_chunk_gives_no_pseudo_query() => Assert.Null(InverseClozeSplit.Of("only eight words in this short chunk here"));
}
