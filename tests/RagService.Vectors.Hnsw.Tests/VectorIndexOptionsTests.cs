namespace RagService.Vectors.Hnsw.Tests;

/// <summary>Each option's bound is accepted and the next value refused, naming the option; the derived ef and thread counts.</summary>
public sealed class VectorIndexOptionsTests
{
    public static TheoryData<string, VectorIndexOptions> Accepted => new()
    {
        { "M low", new VectorIndexOptions { M = 2 } },
        { "M high", new VectorIndexOptions { M = 256 } },
        { "EfConstruction", new VectorIndexOptions { EfConstruction = 1 } },
        { "EfSearch", new VectorIndexOptions { EfSearch = 1 } },
        { "EfSearchPerResult low", new VectorIndexOptions { EfSearchPerResult = 1 } },
        { "EfSearchPerResult high", new VectorIndexOptions { EfSearchPerResult = 100 } },
        { "ExactSearchThreshold", new VectorIndexOptions { ExactSearchThreshold = 0 } },
        { "FilteredExactMaxMatches", new VectorIndexOptions { FilteredExactMaxMatches = 0 } },
        { "FilterSelectivityThreshold low", new VectorIndexOptions { FilterSelectivityThreshold = 0 } },
        { "FilterSelectivityThreshold high", new VectorIndexOptions { FilterSelectivityThreshold = 1 } },
        { "AutoCompactDeletedRatio low", new VectorIndexOptions { AutoCompactDeletedRatio = 0 } },
        { "AutoCompactDeletedRatio high", new VectorIndexOptions { AutoCompactDeletedRatio = 0.999 } },
        { "BuildThreads", new VectorIndexOptions { BuildThreads = 0 } },
        { "Quantization", new VectorIndexOptions { Quantization = VectorQuantization.Int8 } },
        { "RescoreFactor low", new VectorIndexOptions { RescoreFactor = 1 } },
        { "RescoreFactor high", new VectorIndexOptions { RescoreFactor = 100 } },
    };

    public static TheoryData<string, VectorIndexOptions> Refused => new()
    {
        { "M", new VectorIndexOptions { M = 1 } },
        { "M", new VectorIndexOptions { M = 257 } },
        { "EfConstruction", new VectorIndexOptions { EfConstruction = 0 } },
        { "EfSearch", new VectorIndexOptions { EfSearch = 0 } },
        { "EfSearchPerResult", new VectorIndexOptions { EfSearchPerResult = 0 } },
        { "EfSearchPerResult", new VectorIndexOptions { EfSearchPerResult = 101 } },
        { "ExactSearchThreshold", new VectorIndexOptions { ExactSearchThreshold = -1 } },
        { "FilteredExactMaxMatches", new VectorIndexOptions { FilteredExactMaxMatches = -1 } },
        { "FilterSelectivityThreshold", new VectorIndexOptions { FilterSelectivityThreshold = -0.01 } },
        { "FilterSelectivityThreshold", new VectorIndexOptions { FilterSelectivityThreshold = 1.01 } },
        { "AutoCompactDeletedRatio", new VectorIndexOptions { AutoCompactDeletedRatio = -0.01 } },
        { "AutoCompactDeletedRatio", new VectorIndexOptions { AutoCompactDeletedRatio = 1 } },
        { "BuildThreads", new VectorIndexOptions { BuildThreads = -1 } },
        { "Quantization", new VectorIndexOptions { Quantization = (VectorQuantization)2 } },
        { "RescoreFactor", new VectorIndexOptions { RescoreFactor = 0 } },
        { "RescoreFactor", new VectorIndexOptions { RescoreFactor = 101 } },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Bounds_are_accepted(string bound, VectorIndexOptions options)
    {
        Assert.NotNull(bound);
        using var index = new HnswIndex(4, options);
        Assert.Equal(options, index.Options);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Values_past_a_bound_are_refused_naming_the_option(string option, VectorIndexOptions options)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new HnswIndex(4, options));
        Assert.Equal(option, e.ParamName);
    }

    [Fact]
    public void A_dimension_below_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExactIndex(0));
    }

    [Theory]
    [InlineData(100, 2, 10, 100)]   // EfSearch is the floor
    [InlineData(100, 2, 50, 100)]   // 2·50 = 100 ties it
    [InlineData(100, 2, 80, 160)]   // 2·80 beats it
    [InlineData(10, 3, 7, 21)]
    [InlineData(1, 100, int.MaxValue, int.MaxValue)] // 100·k overflows int: clamped
    public void The_default_ef_is_the_larger_of_ef_search_and_candidates_per_result_times_k(int efSearch, int perResult, int k, int expected)
    {
        Assert.Equal(expected, new VectorIndexOptions { EfSearch = efSearch, EfSearchPerResult = perResult }.DefaultEf(k));
    }

    [Fact]
    public void Build_threads_are_one_when_deterministic_else_the_setting_or_all_cores()
    {
        Assert.Equal(1, new VectorIndexOptions { DeterministicBuild = true, BuildThreads = 4 }.EffectiveBuildThreads);
        Assert.Equal(3, new VectorIndexOptions { BuildThreads = 3 }.EffectiveBuildThreads);
        Assert.Equal(Environment.ProcessorCount, new VectorIndexOptions().EffectiveBuildThreads);
    }
}
