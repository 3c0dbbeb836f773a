using RagService.Core.Lexical;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Lexical.Memory;

namespace RagService.Core.Tests;

public sealed class LexicalFloorTests
{
    private static TermStatistics Stats(int chunks, params (string Term, int Df)[] terms) =>
        new(chunks, terms.ToDictionary(t => t.Term, t => t.Df));

    [Fact]
    public void A_term_is_meaningful_only_when_it_is_in_fewer_than_half_the_chunks()
    {
        // N = 9: df 4 gives ln(5.5 / 4.5) = 0.2007 > 0; df 5 gives ln(4.5 / 5.5) < 0.
        Assert.Equal(Math.Log(5.5 / 4.5), LexicalFloor.Idf(9, 4), 12);
        Assert.True(LexicalFloor.IsMeaningful(9, 4));
        Assert.False(LexicalFloor.IsMeaningful(9, 5));
        Assert.False(LexicalFloor.IsMeaningful(9, 0)); // absent: nothing matched
        // N = 10: df 5 is exactly half, weight ln(5.5 / 5.5) = 0, not evidence.
        Assert.False(LexicalFloor.IsMeaningful(10, 5));
        Assert.True(LexicalFloor.IsMeaningful(10, 4));
    }

    [Fact]
    public void Only_single_characters_of_a_question_with_words_do_not_count()
    {
        // 你们有没有寿司: only 有 occurs (3 of 9 chunks, rare enough), the question's words do not.
        var sushi = Stats(9, ("你们", 0), ("没有", 0), ("寿司", 0), ("有", 3), ("寿", 0));
        Assert.Empty(LexicalFloor.MeaningfulMatches(sushi));

        var oven = Stats(9, ("烤箱", 4), ("烤", 5), ("箱", 4), ("清洁", 0));
        Assert.Equal(["烤箱"], LexicalFloor.MeaningfulMatches(oven));

        // A one-character question has no words to prefer: its character counts.
        Assert.Equal(["饼"], LexicalFloor.MeaningfulMatches(Stats(9, ("饼", 2))));
    }

    [Fact]
    public void The_detail_names_each_kind_of_term_and_prints_no_empty_list()
    {
        Assert.Equal("single characters of a question with words: 有",
            LexicalFloor.Describe(Stats(9, ("你们", 0), ("没有", 0), ("寿司", 0), ("有", 3))));
        Assert.Equal("too common (in half the chunks or more): 披萨 (5 of 9 chunks)",
            LexicalFloor.Describe(Stats(9, ("披萨", 5), ("多少", 0))));
        Assert.Equal("meaningful (in fewer than half the chunks): 烤箱; too common (in half the chunks or more): 烤 (5 of 9 chunks); " +
            "single characters of a question with words: 箱",
            LexicalFloor.Describe(Stats(9, ("烤箱", 4), ("烤", 5), ("箱", 4), ("清洁", 0))));
        Assert.Equal("no term of the query occurs in the collection", LexicalFloor.Describe(Stats(9, ("寿司", 0))));
    }

    [Fact]
    public void Latin_terms_count_like_words()
    {
        Assert.Equal(["qx-77"], LexicalFloor.MeaningfulMatches(Stats(9, ("qx-77", 1), ("the", 9), ("what", 0))));
    }

    [Fact]
    public void Lexical_index_reports_live_document_frequencies()
    {
        using var index = new LexicalIndex();
        index.Add(1, ["a", "b"], []);
        index.Add(2, ["a"], ["c"]);
        index.Add(3, ["a"], []);
        index.Remove(3);
        var stats = index.Statistics(["a", "b", "c", "z"]);
        Assert.Equal(2, stats.Chunks);
        Assert.Equal(2, stats.DocumentFrequencies["a"]);
        Assert.Equal(1, stats.DocumentFrequencies["b"]);
        Assert.Equal(1, stats.DocumentFrequencies["c"]);
        Assert.Equal(0, stats.DocumentFrequencies["z"]);
    }
}
