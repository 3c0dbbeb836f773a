using RagService.Core.Access;

namespace RagService.Core.Tests.Access;

/// <summary>The compact chunk-id set against a HashSet of the same ids (the oracle).</summary>
public sealed class ChunkIdSetTests
{
    public static TheoryData<string> Shapes => ["dense", "sparse", "single", "negative"];

    private static long[] Ids(string shape) => shape switch
    {
        "dense" => Enumerable.Range(0, 3000).Where(i => i % 3 != 1).Select(i => 1_000L + i).ToArray(),
        "sparse" => Enumerable.Range(0, 500).Select(i => (long)i * i * 7919).ToArray(),
        "single" => [42],
        "negative" => [-70, -1, 0, 63, 64, 65, 127, 128],
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void It_holds_exactly_the_ids_it_was_given(string shape)
    {
        var ids = Ids(shape);
        var oracle = ids.ToHashSet();
        var set = ChunkIdSet.From(ids);

        Assert.Equal(oracle.Count, set.Count);
        Assert.Equal(ids.Order(), set.Order());
        var probes = ids.SelectMany(i => new[] { i - 1, i, i + 1, i + 64, i - 64 }).Append(long.MinValue).Append(long.MaxValue);
        foreach (var probe in probes)
        {
            Assert.True(oracle.Contains(probe) == set.Contains(probe), $"{shape}: {probe}");
        }

        Assert.True(set.SetEquals(oracle));
        Assert.True(set.IsSubsetOf(oracle.Append(-5)));
        Assert.False(set.Overlaps([-999_999]));
    }

    [Fact]
    public void Dense_ids_take_a_bit_each()
    {
        // 100,000 consecutive ids span 100,000 bits: 1,563 words of 8 bytes.
        Assert.Equal(12_504, ChunkIdSet.From(Enumerable.Range(500, 100_000).Select(i => (long)i)).Bytes);
        Assert.Empty(ChunkIdSet.From([]));
        Assert.False(ChunkIdSet.Empty.Contains(0));
    }
}
