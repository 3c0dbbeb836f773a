namespace RagService.Vectors.Hnsw.Tests;

[Trait("Category", "LargeGraph")]
public class FilteredSearchTests
{
    private static readonly ClusteredData Data = new(32, seed: 3);
    private static readonly float[][] Vectors = Data.Take(8_000);
    private static readonly Lazy<HnswIndex> Shared = new(() =>
    {
        var index = new HnswIndex(32, IndexFixtures.GraphOnly() with { FilteredExactMaxMatches = 100 });
        IndexFixtures.Fill(index, Vectors);
        return index;
    });

    public static TheoryData<int> Moduli => new() { 2, 10, 100, 500 };

    [Theory]
    [MemberData(nameof(Moduli))]
    public void Filtered_search_returns_only_matching_ids_and_k_of_them(int modulus)
    {
        var index = Shared.Value;
        bool Matches(long id) => id % modulus == 1;
        using var exact = new ExactIndex(32);
        IndexFixtures.Fill(exact, Vectors);

        long found = 0, agreed = 0;
        foreach (var q in Data.Take(50))
        {
            var hits = index.Search(q, 10, Matches);
            Assert.Equal(10, hits.Count);
            Assert.All(hits, h => Assert.True(Matches(h.Id)));
            Assert.Equal(10, hits.Select(h => h.Id).Distinct().Count());
            var truth = exact.Search(q, 10, Matches).Select(h => h.Id).ToHashSet();
            found += hits.Count;
            agreed += hits.Count(h => truth.Contains(h.Id));
        }
        Assert.True(agreed >= 0.95 * found, $"filtered recall {(double)agreed / found:F3}");
    }

    [Fact]
    public void A_filter_with_fewer_matches_than_k_returns_all_of_them()
    {
        var allowed = new HashSet<long> { 5, 77, 4_000, 7_999 };
        var hits = Shared.Value.Search(Data.Next(), 10, allowed.Contains);
        Assert.Equal(allowed.OrderBy(x => x), hits.Select(h => h.Id).OrderBy(x => x));
    }

    [Fact]
    public void Allowed_id_set_overload_scores_only_those_ids()
    {
        var index = Shared.Value;
        var small = Enumerable.Range(0, 40).Select(i => (long)i * 97).ToList();
        var large = Enumerable.Range(0, Vectors.Length).Where(i => i % 2 == 0).Select(i => (long)i).ToHashSet();
        var q = Data.Next();

        var fromSmall = index.Search(q, 10, small);
        var fromLarge = index.Search(q, 10, large);

        Assert.Equal(10, fromSmall.Count);
        Assert.All(fromSmall, h => Assert.Contains(h.Id, small));
        Assert.Equal(10, fromLarge.Count);
        Assert.All(fromLarge, h => Assert.Contains(h.Id, large));
        Assert.Empty(index.Search(q, 10, new List<long> { 1_000_000 }));
    }

    [Fact]
    public void Filter_and_removal_combine()
    {
        var data = new ClusteredData(16, seed: 5);
        var vectors = data.Take(3_000);
        using var index = new HnswIndex(16, IndexFixtures.GraphOnly() with { FilteredExactMaxMatches = 10 });
        IndexFixtures.Fill(index, vectors);
        for (int i = 0; i < vectors.Length; i += 4)
        {
            index.Remove(i);
        }

        var hits = index.Search(vectors[8], 10, id => id % 2 == 0);

        Assert.Equal(10, hits.Count);
        Assert.All(hits, h => Assert.True(h.Id % 2 == 0 && h.Id % 4 != 0));
    }

    [Fact]
    public void A_set_covering_every_live_id_is_answered_by_the_unfiltered_search_in_one_pass_over_the_set()
    {
        var index = Shared.Value;
        // Every vector's id, and ids with no vector (chunks of another model): the whole collection is visible.
        var everything = new CountingSet(Enumerable.Range(0, Vectors.Length).Select(i => (long)i).Append(1_000_000).Append(1_000_001));
        foreach (var q in Data.Take(20))
        {
            var before = everything.Lookups;
            var hits = index.Search(q, 10, everything);

            Assert.Equal(index.Search(q, 10).Select(h => h.Id), hits.Select(h => h.Id));
            Assert.Equal(Vectors.Length, everything.Lookups - before);
        }
    }

    [Fact]
    public void A_covering_set_small_enough_for_an_exact_scan_is_still_answered_by_the_unfiltered_search()
    {
        var vectors = new ClusteredData(16, seed: 9).Take(2_000);
        using var index = new HnswIndex(16, IndexFixtures.GraphOnly() with { FilteredExactMaxMatches = 100_000 });
        IndexFixtures.Fill(index, vectors);
        var everything = new CountingSet(Enumerable.Range(0, vectors.Length).Select(i => (long)i));

        var hits = index.Search(vectors[3], 10, everything);

        Assert.Equal(index.Search(vectors[3], 10).Select(h => h.Id), hits.Select(h => h.Id));
        Assert.Equal(vectors.Length, everything.Lookups);
    }

    [Fact]
    public void A_set_as_large_as_the_live_count_that_misses_one_live_id_never_returns_it()
    {
        var index = Shared.Value;
        foreach (var q in Data.Take(20))
        {
            var nearest = index.Search(q, 1)[0].Id;
            var allButNearest = Enumerable.Range(0, Vectors.Length).Select(i => (long)i).Where(id => id != nearest).Append(1_000_000).ToHashSet();

            var hits = index.Search(q, 10, allButNearest);

            Assert.Equal(10, hits.Count);
            Assert.DoesNotContain(nearest, hits.Select(h => h.Id));
        }
    }

    /// <summary>A set of ids that counts its membership tests.</summary>
    private sealed class CountingSet(IEnumerable<long> ids) : IReadOnlySet<long>
    {
        private readonly HashSet<long> _ids = ids.ToHashSet();
        private long _lookups;

        public long Lookups => Interlocked.Read(ref _lookups);

        public int Count => _ids.Count;

        public bool Contains(long item)
        {
            Interlocked.Increment(ref _lookups);
            return _ids.Contains(item);
        }

        public IEnumerator<long> GetEnumerator() => _ids.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public bool IsProperSubsetOf(IEnumerable<long> other) => _ids.IsProperSubsetOf(other);

        public bool IsProperSupersetOf(IEnumerable<long> other) => _ids.IsProperSupersetOf(other);

        public bool IsSubsetOf(IEnumerable<long> other) => _ids.IsSubsetOf(other);

        public bool IsSupersetOf(IEnumerable<long> other) => _ids.IsSupersetOf(other);

        public bool Overlaps(IEnumerable<long> other) => _ids.Overlaps(other);

        public bool SetEquals(IEnumerable<long> other) => _ids.SetEquals(other);
    }
}
