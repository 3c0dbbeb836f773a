using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RagService.Vectors.Hnsw.Internal.Quantization;

/// <summary>
/// Per-dimension int8 scalar quantisation calibrated on the vectors it will encode: dimension i maps
/// [min_i, max_i] (the least and greatest value of that coordinate over the calibration vectors) onto codes 0..255,
/// code = round((x − min_i) / step_i) with step_i = (max_i − min_i) / 255, clamped to 0..255 for values outside the
/// range (vectors added after calibration); a dimension with one value everywhere gets step 0 and code 0.
/// Scores are asymmetric: a float query against codes, q · x̂ with x̂_i = min_i + step_i · code_i, computed as
/// Σ q_i · min_i + Σ (q_i · step_i) · code_i from a prepared query (<see cref="Prepare"/>).
/// </summary>
internal sealed unsafe class ScalarQuantizer
{
    private const float Levels = 255f;

    private readonly float[] _min;
    private readonly float[] _step;

    public ScalarQuantizer(float[] min, float[] step, int calibratedOn)
    {
        if (min.Length != step.Length || min.Length == 0)
        {
            throw new ArgumentException("min and step must have the same, non-zero length");
        }

        foreach (float s in step)
        {
            if (!(s >= 0) || float.IsInfinity(s))
            {
                throw new InvalidDataException($"quantisation step {s} is not a finite, non-negative number");
            }
        }

        _min = min;
        _step = step;
        CalibratedOn = calibratedOn;
        StepNorm = MathF.Sqrt(step.Sum(x => x * x));
    }

    /// <summary>‖step‖: the greatest distance between two vectors with the same codes.</summary>
    public float StepNorm { get; }

    public int Dimension => _min.Length;

    /// <summary>How many vectors the range was computed from.</summary>
    public int CalibratedOn { get; }

    /// <summary>Floats of a prepared query: the scaled coordinates, then the constant term.</summary>
    public int PreparedLength => _min.Length + 1;

    public ReadOnlySpan<float> Min => _min;

    public ReadOnlySpan<float> Step => _step;

    /// <summary>The range of each dimension over <paramref name="count"/> vectors (at least one).</summary>
    public static ScalarQuantizer Calibrate(int dimension, int count, VectorAt vectorAt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var (min, max) = EmptyRange(dimension);
        for (int v = 0; v < count; v++)
        {
            Widen(min, max, vectorAt(v));
        }

        return FromRange(min, max, count);
    }

    /// <summary>The range of each dimension over a stream of vectors (read once, not held); null when it is empty.</summary>
    public static ScalarQuantizer? Calibrate(int dimension, IEnumerable<float[]> vectors)
    {
        var (min, max) = EmptyRange(dimension);
        int count = 0;
        foreach (var vector in vectors)
        {
            Widen(min, max, vector);
            count++;
        }

        return count == 0 ? null : FromRange(min, max, count);
    }

    private static (float[] Min, float[] Max) EmptyRange(int dimension)
    {
        var min = new float[dimension];
        var max = new float[dimension];
        Array.Fill(min, float.PositiveInfinity);
        Array.Fill(max, float.NegativeInfinity);
        return (min, max);
    }

    private static void Widen(float[] min, float[] max, ReadOnlySpan<float> x)
    {
        if (x.Length != min.Length)
        {
            throw new ArgumentException($"Vector has {x.Length} dimensions, the index {min.Length}.");
        }

        for (int i = 0; i < min.Length; i++)
        {
            min[i] = Math.Min(min[i], x[i]);
            max[i] = Math.Max(max[i], x[i]);
        }
    }

    private static ScalarQuantizer FromRange(float[] min, float[] max, int count)
    {
        int dimension = min.Length;
        var step = new float[dimension];
        for (int i = 0; i < dimension; i++)
        {
            step[i] = (max[i] - min[i]) / Levels;
        }

        return new ScalarQuantizer(min, step, count);
    }

    public void Encode(ReadOnlySpan<float> vector, Span<byte> codes)
    {
        for (int i = 0; i < _min.Length; i++)
        {
            float step = _step[i];
            float level = step > 0 ? MathF.Round((vector[i] - _min[i]) / step) : 0;
            codes[i] = (byte)Math.Clamp(level, 0f, Levels);
        }
    }

    /// <summary>The vector the codes stand for.</summary>
    public void Decode(ReadOnlySpan<byte> codes, Span<float> vector)
    {
        for (int i = 0; i < _min.Length; i++)
        {
            vector[i] = _min[i] + _step[i] * codes[i];
        }
    }

    /// <summary>Writes the prepared form of a float query (<see cref="PreparedLength"/> floats).</summary>
    public void Prepare(float* query, float* prepared)
    {
        float constant = 0;
        for (int i = 0; i < _min.Length; i++)
        {
            prepared[i] = query[i] * _step[i];
            constant += query[i] * _min[i];
        }

        prepared[_min.Length] = constant;
    }

    /// <summary>Prepares the decoded vector of stored codes as a query (scores between two stored vectors).</summary>
    public void PrepareStored(byte* codes, float* prepared)
    {
        float constant = 0;
        for (int i = 0; i < _min.Length; i++)
        {
            float x = _min[i] + _step[i] * codes[i];
            prepared[i] = x * _step[i];
            constant += x * _min[i];
        }

        prepared[_min.Length] = constant;
    }

    /// <summary>The inner product of the prepared query with the vector the codes stand for.</summary>
    public float Score(float* prepared, byte* codes)
    {
        int n = _min.Length;
        int i = 0;
        float sum = 0;
        if (Avx2.IsSupported && Fma.IsSupported && n >= 32)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (; i <= n - 32; i += 32)
            {
                s0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(codes + i)), Avx.LoadVector256(prepared + i), s0);
                s1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(codes + i + 8)), Avx.LoadVector256(prepared + i + 8), s1);
                s2 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(codes + i + 16)), Avx.LoadVector256(prepared + i + 16), s2);
                s3 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(codes + i + 24)), Avx.LoadVector256(prepared + i + 24), s3);
            }

            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }

        for (; i < n; i++)
        {
            sum += prepared[i] * codes[i];
        }

        return sum + prepared[n];
    }
}
