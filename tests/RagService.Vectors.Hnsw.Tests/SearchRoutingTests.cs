namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Which path answers a search (exact scan or graph), told apart on a graph of 10 vectors whose links are cut after
/// building: a graph search then sees only the entry point, so it answers the entry point's id, while an exact scan
/// answers the true nearest vector. Each routing threshold is checked at its bound and one past it.
/// </summary>
public sealed class SearchRoutingTests
{
    private const int Dim = 4, Count = 10;
    private static readonly float[][] Vectors = Enumerable.Range(0, Count).Select(Unit).ToArray();

    /// <summary>A 10-vector graph with every link removed; the query is the vector of a node that is not the entry point.</summary>
    private static (HnswIndex Index, long Entry, long Target) CutGraph(VectorIndexOptions options)
    {
        var index = new HnswIndex(Dim, options with { M = 2, EfConstruction = 16, DeterministicBuild = true, AutoCompactDeletedRatio = 0 });
        index.UpsertMany(Count, i => i, i => Vectors[i]);
        var graph = index.Graph;
        for (int n = 0; n < Count; n++)
        {
            graph.Level0Record(n)[0] = 0;
            if (graph.UpperLinks(n) is { } upper)
            {
                Array.Clear(upper);
            }
        }

        long entry = index.State.Vectors.IdAt(graph.EntryNode);
        long target = Enumerable.Range(0, Count).First(i => i != entry);
        return (index, entry, target);
    }

    private static long Nearest(NeighbourIndex index, long target, Func<long, bool>? filter = null) =>
        index.Search(Vectors[target], 1, filter)[0].Id;

    [Theory]
    [InlineData(10, true)]    // live count at the threshold: exact
    [InlineData(9, false)]    // one below: graph
    public void An_unfiltered_search_scans_exactly_up_to_the_exact_search_threshold(int threshold, bool exact)
    {
        var (index, entry, target) = CutGraph(new VectorIndexOptions { ExactSearchThreshold = threshold });
        using var _ = index;
        Assert.Equal(exact ? target : entry, Nearest(index, target));
    }

    [Fact]
    public void A_graph_search_that_finds_fewer_than_k_falls_back_to_an_exact_scan()
    {
        var (index, _, target) = CutGraph(new VectorIndexOptions { ExactSearchThreshold = 0 });
        using var __ = index;
        var expected = Enumerable.Range(0, Count).OrderByDescending(i => Dot(Vectors[target], Vectors[i])).Select(i => (long)i).ToArray();

        Assert.Equal(expected[..3], index.Search(Vectors[target], 3).Select(h => h.Id));
        // k above the live count: all 10, not only the one the graph found.
        Assert.Equal(expected, index.Search(Vectors[target], 20).Select(h => h.Id));
        // With tombstones the graph search must still find k live hits or fall back.
        index.Remove(expected[^1]);
        Assert.Equal(expected[..9], index.Search(Vectors[target], 20).Select(h => h.Id));
    }

    [Theory]
    [InlineData(10, 0.0, true)]    // 10 expected matches, at FilteredExactMaxMatches: exact
    [InlineData(9, 0.0, false)]    // one past it: graph
    [InlineData(0, 1.0, false)]    // every vector matches: a fraction of 1 is not below a threshold of 1
    public void A_filtered_search_scans_exactly_when_few_matches_are_expected(int maxMatches, double selectivity, bool exact)
    {
        var (index, entry, target) = CutGraph(new VectorIndexOptions { ExactSearchThreshold = 0, FilteredExactMaxMatches = maxMatches, FilterSelectivityThreshold = selectivity });
        using var _ = index;
        Assert.Equal(exact ? target : entry, Nearest(index, target, _ => true));
    }

    [Theory]
    [InlineData(0.5, false)]   // half the vectors match: not below 0.5, graph
    [InlineData(0.51, true)]   // below 0.51: exact
    public void A_filtered_search_scans_exactly_when_the_matching_fraction_is_below_the_selectivity_threshold(double selectivity, bool exact)
    {
        var (index, entry, target) = CutGraph(new VectorIndexOptions { ExactSearchThreshold = 0, FilteredExactMaxMatches = 0, FilterSelectivityThreshold = selectivity });
        using var _ = index;
        var half = Enumerable.Range(0, Count).Where(i => i != entry && i != target).Take(3).Select(i => (long)i).Append(entry).Append(target).ToHashSet();

        Assert.Equal(exact ? target : entry, Nearest(index, target, half.Contains));
    }

    [Theory]
    [InlineData(10, true)]
    [InlineData(9, false)]
    public void A_filtered_search_scans_exactly_up_to_the_exact_search_threshold(int threshold, bool exact)
    {
        var (index, entry, target) = CutGraph(new VectorIndexOptions { ExactSearchThreshold = threshold, FilteredExactMaxMatches = 0, FilterSelectivityThreshold = 0 });
        using var _ = index;
        Assert.Equal(exact ? target : entry, Nearest(index, target, _ => true));
    }

    [Fact]
    public void A_filtered_graph_search_with_fewer_than_k_matching_hits_falls_back_to_an_exact_scan_of_the_matches()
    {
        var (index, entry, target) = CutGraph(new VectorIndexOptions { ExactSearchThreshold = 0, FilteredExactMaxMatches = 0, FilterSelectivityThreshold = 0 });
        using var _ = index;
        var expected = Enumerable.Range(0, Count).Where(i => i % 2 == 0).OrderByDescending(i => Dot(Vectors[target], Vectors[i])).Select(i => (long)i).ToArray();

        Assert.Equal(expected[..2], index.Search(Vectors[target], 2, id => id % 2 == 0).Select(h => h.Id));
    }

    [Theory]
    [InlineData(3, 0.0, true)]    // 3 allowed ids, FilteredExactMaxMatches 3: scored directly
    [InlineData(2, 0.0, false)]   // 2: a filter over the graph
    [InlineData(0, 0.3, true)]    // 0.3 of 10 live = 3: scored directly
    [InlineData(0, 0.29, false)]
    public void An_allowed_id_set_is_scored_directly_up_to_the_larger_of_the_two_limits(int maxMatches, double selectivity, bool direct)
    {
        // The graph route of a set that is not too selective: a filter with fraction 3/10 over the cut graph.
        var (index, entry, target) = CutGraph(new VectorIndexOptions { ExactSearchThreshold = 0, FilteredExactMaxMatches = maxMatches, FilterSelectivityThreshold = selectivity });
        using var _ = index;
        var allowed = new List<long> { entry, target, Enumerable.Range(0, Count).First(i => i != entry && i != target) };

        var hits = index.Search(Vectors[target], 1, allowed);

        Assert.Equal(direct ? target : entry, hits[0].Id);
    }

    [Fact]
    public void An_allowed_id_list_with_repeats_unknown_and_removed_ids_scores_each_live_vector_once()
    {
        using var index = new ExactIndex(Dim);
        index.UpsertMany(Count, i => i, i => Vectors[i]);
        index.Remove(4);
        var allowed = new List<long> { 3, 3, 4, 5, 99, 5, 6 };

        var hits = index.Search(Vectors[3], 10, allowed);

        var expected = new long[] { 3, 5, 6 }.OrderByDescending(i => Dot(Vectors[3], Vectors[i])).ToArray();
        Assert.Equal(expected, hits.Select(h => h.Id));
        Assert.All(hits, h => Assert.Equal(Dot(Vectors[3], Vectors[h.Id]), h.Score, 5));
        Assert.Empty(index.Search(Vectors[3], 10, new List<long>()));
        Assert.Equal(expected[..2], index.Search(Vectors[3], 2, allowed).Select(h => h.Id));
    }

    [Fact]
    public void A_set_covering_every_live_id_is_answered_by_the_unfiltered_search()
    {
        // Unfiltered, the cut graph at ExactSearchThreshold 0 answers the entry point; a filter over the graph would too,
        // but a set as large as the threshold of a direct scan would be exact: the covering set must take the unfiltered route.
        var (index, entry, target) = CutGraph(new VectorIndexOptions { ExactSearchThreshold = 0, FilteredExactMaxMatches = 100 });
        using var _ = index;
        var everything = Enumerable.Range(0, Count).Select(i => (long)i).ToHashSet();
        Assert.Equal(entry, index.Search(Vectors[target], 1, everything)[0].Id);

        // One live id missing: no longer covering, so the direct scan answers (and never returns the missing id).
        everything.Remove(entry);
        everything.Add(1_000);
        Assert.Equal(target, index.Search(Vectors[target], 1, everything)[0].Id);
        Assert.DoesNotContain(entry, index.Search(Vectors[target], Count, everything).Select(h => h.Id));

        // A tombstone's id need not be in the set for it to cover the live ones.
        index.Remove(entry);
        var live = Enumerable.Range(0, Count).Where(i => i != entry).Select(i => (long)i).ToList();
        Assert.Equal(Count - 1, index.Search(Vectors[target], Count, live).Count);
    }

    [Fact]
    public void An_empty_index_and_an_empty_set_answer_nothing_and_bad_arguments_are_refused()
    {
        using var index = new HnswIndex(Dim, new VectorIndexOptions { ExactSearchThreshold = 0 });
        Assert.Empty(index.Search(Vectors[0], 3));
        Assert.Empty(index.Search(Vectors[0], 3, new List<long> { 1 }));
        Assert.Empty(index.Search(Vectors[0], 3, _ => true));
        index.Upsert(1, Vectors[1]);
        Assert.Empty(index.Search(Vectors[0], 3, new List<long>()));
        Assert.Empty(index.Search(Vectors[0], 3, _ => false));
        Assert.Equal("efSearch", Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(Vectors[0], 3, (Func<long, bool>?)null, efSearch: 0)).ParamName);
        Assert.Single(index.Search(Vectors[0], 3, (Func<long, bool>?)null, efSearch: 1));
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(Vectors[0], 0, new List<long> { 1 })).ParamName);
        Assert.Throws<ArgumentNullException>(() => index.Search(Vectors[0], 1, (IReadOnlyCollection<long>)null!));
        var wrong = Assert.Throws<ArgumentException>(() => index.Search(new float[5], 1));
        Assert.Equal(("query", "Query has 5 dimensions, the index 4. (Parameter 'query')"), (wrong.ParamName, wrong.Message));
        var vector = Assert.Throws<ArgumentException>(() => index.Upsert(2, new float[3]));
        Assert.Equal("Vector has 3 dimensions, the index 4. (Parameter 'vector')", vector.Message);
    }

    private static float Dot(float[] a, float[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static float[] Unit(int i)
    {
        var v = Enumerable.Range(0, Dim).Select(j => (float)Math.Sin((i * 7) + (j * 3) + 2)).ToArray();
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }
}
