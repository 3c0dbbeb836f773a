using RagService.Vectors.Hnsw.Internal.Quantization;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>The int8 quantiser against codes and scores worked out by hand from its definition (per-dimension min/max, 255 steps).</summary>
public sealed unsafe class ScalarQuantizerTests
{
    // Dimension 0 spans [0, 1] (step 1/255), dimension 1 spans [-1, 1] (step 2/255), dimension 2 is 0.25 everywhere.
    private static readonly float[][] Calibration = [[0f, -1f, 0.25f], [0.5f, 1f, 0.25f], [1f, 0f, 0.25f]];

    private static ScalarQuantizer Quantizer() => ScalarQuantizer.Calibrate(3, Calibration.Length, i => Calibration[i]);

    [Fact]
    public void Calibration_is_each_dimensions_min_and_range_over_255_steps()
    {
        var q = Quantizer();
        Assert.Equal([0f, -1f, 0.25f], q.Min.ToArray());
        Assert.Equal(1f / 255, q.Step[0], 7);
        Assert.Equal(2f / 255, q.Step[1], 7);
        Assert.Equal(0f, q.Step[2]);
        Assert.Equal(3, q.CalibratedOn);
    }

    [Theory]
    [InlineData(0f, -1f, 0.25f, 0, 0, 0)]          // the minimum of every dimension
    [InlineData(1f, 1f, 0.25f, 255, 255, 0)]       // the maximum
    [InlineData(0.2f, 0.5f, 0.25f, 51, 191, 0)]    // 0.2 · 255 = 51; 1.5 / (2/255) = 191.25 → 191
    [InlineData(0.4f, -0.1f, 0.9f, 102, 115, 0)]   // 0.4 · 255 = 102; 0.9 · 127.5 = 114.75 → 115; a constant dimension codes 0
    [InlineData(2f, -3f, -5f, 255, 0, 0)]          // outside the range: clamped
    public void Codes_are_the_nearest_of_255_steps_clamped_to_the_range(float x0, float x1, float x2, int c0, int c1, int c2)
    {
        var codes = new byte[3];
        Quantizer().Encode([x0, x1, x2], codes);
        Assert.Equal([(byte)c0, (byte)c1, (byte)c2], codes);
    }

    [Fact]
    public void A_prepared_query_scores_the_decoded_vector()
    {
        var q = Quantizer();
        byte* codes = stackalloc byte[] { 51, 191, 0 };
        float* query = stackalloc float[] { 1f, 2f, -4f };
        float* prepared = stackalloc float[q.PreparedLength];
        q.Prepare(query, prepared);

        // decoded: (51/255, -1 + 191 · 2/255, 0.25) = (0.2, 0.498039..., 0.25); · (1, 2, -4) = 0.2 + 0.996078... - 1
        Assert.Equal(0.2 + 2 * (-1 + 191 * 2.0 / 255) - 1, q.Score(prepared, codes), 5);

        var decoded = new float[3];
        q.Decode(new ReadOnlySpan<byte>(codes, 3), decoded);
        Assert.Equal(0.2f, decoded[0], 6);
        Assert.Equal(-1 + 191 * 2f / 255, decoded[1], 6);
        Assert.Equal(0.25f, decoded[2]);
    }

    [Fact]
    public void The_vectorised_score_of_a_wide_vector_equals_the_decoded_inner_product()
    {
        const int dim = 77; // two 32-wide blocks and a scalar tail
        var random = new Random(5);
        var vectors = Enumerable.Range(0, 50).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray()).ToArray();
        var q = ScalarQuantizer.Calibrate(dim, vectors.Length, i => vectors[i]);
        var query = vectors[7];
        var codes = new byte[dim];
        q.Encode(vectors[3], codes);

        double expected = 0;
        for (int i = 0; i < dim; i++)
        {
            expected += query[i] * (q.Min[i] + (double)q.Step[i] * codes[i]);
        }

        float* prepared = stackalloc float[q.PreparedLength];
        fixed (float* qp = query)
        fixed (byte* cp = codes)
        {
            q.Prepare(qp, prepared);
            Assert.Equal(expected, q.Score(prepared, cp), 4);

            var decoded = new float[dim];
            q.Decode(codes, decoded);
            fixed (float* dp = decoded)
            {
                float* stored = stackalloc float[q.PreparedLength];
                q.PrepareStored(cp, stored);
                double self = decoded.Sum(x => (double)x * x);
                Assert.Equal(self, q.Score(stored, cp), 4);
            }
        }
    }
}
