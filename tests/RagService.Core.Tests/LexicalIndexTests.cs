using RagService.Core.Lexical;
using RagService.Lexical.Memory;

namespace RagService.Core.Tests;

public sealed class LexicalIndexTests
{
    private static readonly Bm25Parameters P = new() { HeaderWeight = 2 };

    private static string[] T(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Scores_follow_bm25_with_lucene_idf()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("a b"), []);
        index.Add(2, T("b c c"), []);
        var hits = index.Search(T("c"), 10, new Bm25Parameters { HeaderWeight = 0 });

        // N=2, n=1: idf = ln(1 + 1.5/1.5) = ln 2; doc 2: tf=2, dl=3, avgdl=2.5 → norm = 1.2 (0.25 + 0.75·1.2) = 1.38
        var expected = Math.Log(2) * 2 / (2 + 1.2 * (0.25 + 0.75 * 3 / 2.5));
        var hit = Assert.Single(hits);
        Assert.Equal(2, hit.Id);
        Assert.Equal(expected, hit.Score, 10);
    }

    [Fact]
    public void Header_terms_count_with_their_weight()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("oven error"), T("manual"));
        index.Add(2, T("oven error"), []);
        index.Add(3, T("unrelated words here"), T("other"));
        var hits = index.Search(T("manual error"), 10, P);
        Assert.Equal([1L, 2L], hits.Select(h => h.Id).ToArray());
    }

    [Fact]
    public void Replacing_and_removing_documents_updates_results_and_statistics()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("apple banana"), []);
        index.Add(2, T("cherry"), []);
        index.Add(1, T("durian"), []);
        Assert.Empty(index.Search(T("apple"), 10, P));
        Assert.Equal(1, Assert.Single(index.Search(T("durian"), 10, P)).Id);

        Assert.True(index.Remove(2));
        Assert.False(index.Remove(2));
        Assert.Empty(index.Search(T("cherry"), 10, P));
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public void Compaction_after_many_removals_keeps_results_identical()
    {
        using var index = new LexicalIndex();
        for (var i = 0; i < 3000; i++)
        {
            index.Add(i, T($"common w{i % 50} x{i}"), []);
        }

        for (var i = 0; i < 3000; i += 2)
        {
            index.Remove(i);
        }

        var hits = index.Search(T("w7"), 100, P);
        Assert.All(hits, h => Assert.Equal(7, h.Id % 50));
        Assert.Equal(60, hits.Count);
        Assert.Empty(index.Search(T("w8"), 100, P)); // every w8 document had an even id and was removed
        Assert.Equal(1500, index.Count);
        Assert.Equal(2999, Assert.Single(index.Search(T("x2999"), 5, P)).Id);
    }

    [Fact]
    public void Equal_scores_keep_insertion_order_and_limit_and_filter_apply()
    {
        using var index = new LexicalIndex();
        for (var i = 10; i > 0; i--)
        {
            index.Add(i, T("same words"), []);
        }

        Assert.Equal([10L, 9L, 8L], index.Search(T("same"), 3, P).Select(h => h.Id).ToArray());
        Assert.Equal([8L, 6L], index.Search(T("same"), 2, P, id => id % 2 == 0 && id < 9).Select(h => h.Id).ToArray());
    }

    [Fact]
    public void Repeated_query_terms_weigh_more()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("alpha filler filler"), []);
        index.Add(2, T("beta filler filler"), []);
        Assert.Equal(1, index.Search(T("alpha beta alpha"), 2, P)[0].Id);
        Assert.Equal(2, index.Search(T("alpha beta beta"), 2, P)[0].Id);
    }

    [Fact]
    public void Header_terms_score_as_weighted_term_frequency_within_the_whole_length()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("oven error"), T("manual manual"));
        index.Add(2, T("manual"), []);
        index.Add(3, T("kettle descaling guide"), []);
        var hits = index.Search(T("manual"), 10, P);

        // N=3, n=2: idf = ln(1 + 1.5/2.5) = ln 1.6; avgdl = 8/3.
        // doc 1: tf = 0 + 2·2 = 4, dl = 4 → norm = 1.2 (0.25 + 0.75·4/(8/3)) = 1.65
        // doc 2: tf = 1, dl = 1 → norm = 1.2 (0.25 + 0.75·1/(8/3)) = 0.6375
        Assert.Equal([1L, 2L], hits.Select(h => h.Id).ToArray());
        Assert.Equal(Math.Log(1.6) * 4 / (4 + 1.65), hits[0].Score, 10);
        Assert.Equal(Math.Log(1.6) * 1 / (1 + 0.6375), hits[1].Score, 10);
    }

    [Fact]
    public void A_header_weight_of_zero_ignores_terms_found_only_in_headers()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("alpha"), T("secret"));
        index.Add(2, T("secret"), []);
        var hit = Assert.Single(index.Search(T("secret"), 10, new Bm25Parameters { HeaderWeight = 0 }));
        Assert.Equal(2, hit.Id);
    }

    [Fact]
    public void Unknown_query_terms_match_nothing_and_add_nothing()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("apple pie"), []);
        index.Add(2, T("banana"), []);
        Assert.Empty(index.Search(T("durian"), 10, P));
        var alone = index.Search(T("banana"), 10, P);
        var withUnknown = index.Search(T("durian banana"), 10, P);
        Assert.Equal(alone, withUnknown);
    }

    [Fact]
    public void Removing_a_document_takes_its_length_out_of_the_average()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("a b"), []);
        index.Add(2, T("c c c c c c"), []);
        index.Add(3, T("a"), []);
        index.Remove(2);
        var hits = index.Search(T("a"), 10, new Bm25Parameters { HeaderWeight = 0 });

        // Live: docs 1 and 3, N=2, n=2: idf = ln(1 + 0.5/2.5) = ln 1.2; avgdl = 3/2.
        // doc 3: dl=1 → norm = 1.2 (0.25 + 0.75·1/1.5) = 0.9; doc 1: dl=2 → norm = 1.2 (0.25 + 0.75·2/1.5) = 1.5
        Assert.Equal([3L, 1L], hits.Select(h => h.Id).ToArray());
        Assert.Equal(Math.Log(1.2) / 1.9, hits[0].Score, 10);
        Assert.Equal(Math.Log(1.2) / 2.5, hits[1].Score, 10);
    }

    [Fact]
    public void A_limit_keeps_the_best_documents_even_when_they_were_added_last()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("q f f f"), []);
        index.Add(2, T("q q f f"), []);
        index.Add(3, T("q q q f"), []);
        index.Add(4, T("q q q q"), []);
        Assert.Equal([4L, 3L], index.Search(T("q"), 2, P).Select(h => h.Id).ToArray());
    }

    [Fact]
    public void A_tie_at_the_limit_goes_to_the_earliest_document_whichever_query_term_found_it_first()
    {
        using var index = new LexicalIndex();
        index.Add(10, T("a x"), []);
        index.Add(11, T("b x"), []);
        index.Add(12, T("c x"), []);

        // Each query term occurs once in one document of the same length: equal scores; the search meets 12, 11, 10 in that order.
        var all = index.Search(T("c b a"), 3, P);
        Assert.Equal(all[0].Score, all[2].Score);
        Assert.Equal([10L, 11L, 12L], all.Select(h => h.Id).ToArray());
        Assert.Equal(10, Assert.Single(index.Search(T("c b a"), 1, P)).Id);
        Assert.Equal([10L, 11L], index.Search(T("c b a"), 2, P).Select(h => h.Id).ToArray());
    }

    [Fact]
    public void No_terms_a_limit_of_zero_or_an_index_without_live_documents_answer_nothing()
    {
        using var index = new LexicalIndex();
        Assert.Empty(index.Search(T("a"), 10, P));
        index.Add(1, T("a"), []);
        Assert.Empty(index.Search([], 10, P));
        Assert.Empty(index.Search(T("a"), 0, P));
        index.Remove(1);
        Assert.Empty(index.Search(T("a"), 10, P));
    }

    [Fact]
    public void Tombstones_are_compacted_once_more_than_1024_and_more_than_a_third_of_the_slots()
    {
        using var index = new LexicalIndex();
        for (var i = 0; i < 3000; i++)
        {
            index.Add(i, i <= 1024 ? T("gone gone gone gone gone") : T($"kept x{i}"), []);
        }

        for (var i = 0; i < 1024; i++)
        {
            index.Remove(i);
        }

        Assert.Equal(1024, index.DeletedCount);
        index.Remove(1024); // 1025 > 1024 and > 3000 / 3
        Assert.Equal(0, index.DeletedCount);
        Assert.Equal(1975, index.Count);

        // The first live document is now slot 0; every live document has length 2, so avgdl = 2 and norm = k1.
        var hit = Assert.Single(index.Search(T("x1025"), 10, P));
        Assert.Equal(1025, hit.Id);
        Assert.Equal(Math.Log(1 + 1974.5 / 1.5) / (1 + 1.2), hit.Score, 10);
        Assert.Empty(index.Search(T("gone"), 10, P));
        Assert.Equal([1025L, 1026L, 1027L], index.Search(T("kept"), 3, P).Select(h => h.Id).ToArray());
    }

    [Fact]
    public void Tombstones_up_to_a_third_of_the_slots_stay_until_the_next_removal_passes_it()
    {
        using var index = new LexicalIndex();
        for (var i = 0; i < 6000; i++)
        {
            index.Add(i, T($"w{i % 3}"), []);
        }

        for (var i = 0; i < 2000; i++)
        {
            index.Remove(i);
        }

        Assert.Equal(2000, index.DeletedCount); // 2000 is not more than 6000 / 3
        index.Remove(2000);
        Assert.Equal(0, index.DeletedCount);
        Assert.Equal(3999, index.Count);
    }

    [Fact]
    public void Replacing_a_document_leaves_one_tombstone()
    {
        using var index = new LexicalIndex();
        index.Add(1, T("old text"), []);
        index.Add(1, T("new text"), []);
        Assert.Equal(1, index.DeletedCount);
        Assert.Equal(1, index.Count);
    }

    [Fact]
    public async Task Concurrent_searches_and_writes_do_not_corrupt_the_index()
    {
        using var index = new LexicalIndex();
        for (var i = 0; i < 500; i++)
        {
            index.Add(i, T($"base t{i % 7}"), []);
        }

        var writer = Task.Run(() =>
        {
            for (var i = 500; i < 3000; i++)
            {
                index.Add(i, T($"base t{i % 7}"), []);
                index.Remove(i - 400);
            }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!writer.IsCompleted)
            {
                var hits = index.Search(T("t3"), 50, P);
                Assert.All(hits, h => Assert.Equal(3, h.Id % 7));
            }
        })).ToArray();
        await Task.WhenAll([writer, .. readers]);
        Assert.Equal(500, index.Count);
        Assert.Equal(Enumerable.Range(0, 100).Concat(Enumerable.Range(2600, 400)).Count(i => i % 7 == 3), index.Search(T("t3"), 1000, P).Count);
    }
}
