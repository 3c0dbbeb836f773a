using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RagService.Vectors.Hnsw.Internal;

/// <summary>Inner product of float32 vectors with the widest SIMD the CPU offers.</summary>
internal static unsafe class VectorMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int n)
    {
        if (Vector512.IsHardwareAccelerated && n >= 64)
        {
            return Dot512(a, b, n);
        }

        if (Vector256.IsHardwareAccelerated && n >= 32)
        {
            return Dot256(a, b, n);
        }

        return DotScalarTail(a, b, 0, n, 0f);
    }

    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Vectors differ in length.");
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        {
            return Dot(pa, pb, a.Length);
        }
    }

    /// <summary>|a − b|², summed over the differences (no cancellation between two near-equal inner products).</summary>
    public static float SquaredDistance(float* a, float* b, int n)
    {
        float sum = 0;
        for (int i = 0; i < n; i++)
        {
            float d = a[i] - b[i];
            sum += d * d;
        }

        return sum;
    }

    private static float Dot512(float* a, float* b, int n)
    {
        // Four independent accumulators hide the FMA latency.
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i <= n - 64; i += 64)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), s0);
            s1 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + 16), Vector512.Load(b + i + 16), s1);
            s2 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + 32), Vector512.Load(b + i + 32), s2);
            s3 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i + 48), Vector512.Load(b + i + 48), s3);
        }
        for (; i <= n - 16; i += 16)
        {
            s0 = Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), s0);
        }

        float sum = Vector512.Sum((s0 + s1) + (s2 + s3));
        return DotScalarTail(a, b, i, n, sum);
    }

    private static float Dot256(float* a, float* b, int n)
    {
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i <= n - 32; i += 32)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
            s1 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 8), Vector256.Load(b + i + 8), s1);
            s2 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 16), Vector256.Load(b + i + 16), s2);
            s3 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i + 24), Vector256.Load(b + i + 24), s3);
        }
        for (; i <= n - 8; i += 8)
        {
            s0 = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), s0);
        }

        float sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        return DotScalarTail(a, b, i, n, sum);
    }

    private static float DotScalarTail(float* a, float* b, int i, int n, float sum)
    {
        for (; i < n; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
