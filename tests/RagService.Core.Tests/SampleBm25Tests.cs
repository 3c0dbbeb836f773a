using RagService.Core.Lexical;
using RagService.Core.Retrieval.Calibration;

namespace RagService.Core.Tests;

/// <summary>
/// The calibration sample's BM25F against hand-computed values: header terms count with the header weight, the length is
/// body + header, Lucene's idf, a repeated query term counts once per repeat. Three passages, k1 = 1.2, b = 0.75, header weight 2:
/// P0 body "a b" header "h", P1 body "b b c", P2 body "d" header "a"; lengths 3, 3, 2, average 8/3.
/// </summary>
public sealed class SampleBm25Tests
{
    private static readonly double Idf2Of3 = Math.Log(1 + 1.5 / 2.5); // n = 3, df = 2
    private static readonly double Idf1Of3 = Math.Log(1 + 2.5 / 1.5); // n = 3, df = 1
    private const double NormLength3 = 1.2 * (0.25 + 0.75 * 3 / (8.0 / 3)); // 1.3125
    private const double NormLength2 = 1.2 * (0.25 + 0.75 * 2 / (8.0 / 3)); // 0.975

    private static SampleBm25 Sample() => new(
        [
            (["a", "b"], ["h"]),
            (["b", "b", "c"], []),
            (["d"], ["a"]),
        ],
        new Bm25Parameters { K1 = 1.2, B = 0.75, HeaderWeight = 2 });

    [Fact]
    public void A_header_term_counts_with_the_header_weight_and_the_header_adds_to_the_length()
    {
        var scores = Sample().Score(["a"]);
        Assert.Equal(3, scores.Length);
        Assert.Equal(Idf2Of3 * 1 / (1 + NormLength3), scores[0], 12); // body tf 1
        Assert.Equal(0, scores[1]);
        Assert.Equal(Idf2Of3 * 2 / (2 + NormLength2), scores[2], 12); // header tf 1 × weight 2
    }

    [Fact]
    public void A_repeated_query_term_counts_per_repeat_and_unknown_terms_add_nothing()
    {
        var scores = Sample().Score(["b", "zz", "b"]);
        Assert.Equal(2 * Idf2Of3 * 1 / (1 + NormLength3), scores[0], 12);
        Assert.Equal(2 * Idf2Of3 * 2 / (2 + NormLength3), scores[1], 12);
        Assert.Equal(0, scores[2]);
    }

    [Fact]
    public void Terms_of_one_passage_get_the_higher_idf_and_scores_add_over_terms()
    {
        var scores = Sample().Score(["h", "c", "a"]);
        Assert.Equal(Idf1Of3 * 2 / (2 + NormLength3) + Idf2Of3 * 1 / (1 + NormLength3), scores[0], 12);
        Assert.Equal(Idf1Of3 * 1 / (1 + NormLength3), scores[1], 12);
        Assert.Equal(Idf2Of3 * 2 / (2 + NormLength2), scores[2], 12);
    }

    [Fact]
    public void An_empty_sample_scores_nothing()
    {
        Assert.Empty(new SampleBm25([], new Bm25Parameters()).Score(["a"]));
    }

    [Fact]
    public void Passages_without_terms_score_zero()
    {
        Assert.Equal([0.0, 0.0], new SampleBm25([([], []), ([], [])], new Bm25Parameters()).Score(["a"]));
    }
}
