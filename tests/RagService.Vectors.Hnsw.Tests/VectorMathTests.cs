using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// The inner product at every length from 1 to 80 (the SIMD blocks of 32 and 8 floats, their remainders and the scalar
/// tail) and the squared distance, against a double-precision sum written out in the test.
/// </summary>
public sealed unsafe class VectorMathTests
{
    [Fact]
    public void The_inner_product_of_every_length_equals_the_sum_of_the_products()
    {
        var random = new Random(31);
        for (int n = 1; n <= 80; n++)
        {
            var a = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            double expected = 0, distance = 0;
            for (int i = 0; i < n; i++)
            {
                expected += (double)a[i] * b[i];
                distance += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            }

            Assert.True(Math.Abs(VectorMath.Dot(a, b) - expected) < 1e-5, $"n = {n}: {VectorMath.Dot(a, b)} vs {expected}");
            fixed (float* pa = a)
            fixed (float* pb = b)
            {
                Assert.True(Math.Abs(VectorMath.SquaredDistance(pa, pb, n) - distance) < 1e-5 * distance, $"n = {n}: distance");
            }
        }
    }

    [Fact]
    public void Vectors_of_different_lengths_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => VectorMath.Dot(new float[3], new float[4]));
        Assert.Equal("Vectors differ in length.", e.Message);
        Assert.Equal(0f, VectorMath.Dot(ReadOnlySpan<float>.Empty, ReadOnlySpan<float>.Empty));
    }
}
