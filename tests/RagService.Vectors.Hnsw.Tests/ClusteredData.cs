namespace RagService.Vectors.Hnsw.Tests;

/// <summary>Deterministic clustered unit vectors: Gaussian blobs around random unit centres, normalised.</summary>
internal sealed class ClusteredData
{
    private readonly float[][] _centres;
    private readonly Random _random;
    private readonly double _spread;

    public ClusteredData(int dimension, int clusters = 50, int seed = 7, double spread = 0.35)
    {
        Dimension = dimension;
        _random = new Random(seed);
        _spread = spread;
        _centres = Enumerable.Range(0, clusters).Select(_ => Normalise(Gaussian(dimension, 1.0))).ToArray();
    }

    public int Dimension { get; }

    public float[] Next() => Near(_centres[_random.Next(_centres.Length)]);

    private float[] Near(float[] centre)
    {
        var noise = Gaussian(Dimension, _spread / Math.Sqrt(Dimension));
        for (int i = 0; i < Dimension; i++)
        {
            noise[i] += centre[i];
        }

        return Normalise(noise);
    }

    public float[][] Take(int n) => Enumerable.Range(0, n).Select(_ => Next()).ToArray();

    /// <summary>
    /// <paramref name="perCluster"/> points of the first cluster, then of the second, and so on: like the chunks of
    /// one document after another, neighbours in insertion order are neighbours in space.
    /// </summary>
    public float[][] TakeInClusterOrder(int perCluster) =>
        _centres.SelectMany(centre => Enumerable.Range(0, perCluster).Select(_ => Near(centre))).ToArray();

    private float[] Gaussian(int n, double sigma)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - _random.NextDouble(), u2 = _random.NextDouble();
            v[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        return v;
    }

    private static float[] Normalise(float[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = (float)(v[i] / norm);
        }

        return v;
    }
}
