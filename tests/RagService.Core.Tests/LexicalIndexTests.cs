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
