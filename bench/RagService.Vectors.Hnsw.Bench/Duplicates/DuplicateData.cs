namespace RagService.Vectors.Hnsw.Bench.Duplicates;

/// <summary>
/// One data set of the duplicates mode: random unit vectors with copies of one vector (exact, or moved a given L2
/// distance in a random direction) at random places in the insert order, random queries, and the copied vector.
/// </summary>
internal sealed record DuplicateData(string Name, float[][] Vectors, long[] DuplicateIds, float[] Duplicated, float[][] Queries)
{
    public static DuplicateData Create(string name, int dimension, int random, int copies, double distance, int queries, int seed)
    {
        var rng = new Random(seed);
        var duplicated = ToFloat(Normalise(Gaussian(rng, dimension)));
        var vectors = new List<(float[] Vector, bool Copy)>();
        for (int i = 0; i < random; i++)
        {
            vectors.Add((ToFloat(Normalise(Gaussian(rng, dimension))), false));
        }

        for (int i = 0; i < copies; i++)
        {
            vectors.Add((distance == 0 ? (float[])duplicated.Clone() : Moved(rng, duplicated, distance), true));
        }

        var order = vectors.ToArray();
        rng.Shuffle(order);
        var ids = Enumerable.Range(0, order.Length).Where(i => order[i].Copy).Select(i => (long)i).ToArray();
        var q = Enumerable.Range(0, queries).Select(_ => ToFloat(Normalise(Gaussian(rng, dimension)))).ToArray();
        return new DuplicateData(name, order.Select(v => v.Vector).ToArray(), ids, duplicated, q);
    }

    private static float[] Moved(Random rng, float[] from, double distance)
    {
        var direction = Normalise(Gaussian(rng, from.Length));
        var moved = new double[from.Length];
        for (int i = 0; i < from.Length; i++)
        {
            moved[i] = from[i] + distance * direction[i];
        }

        return ToFloat(Normalise(moved));
    }

    private static double[] Gaussian(Random rng, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            v[i] = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        return v;
    }

    private static double[] Normalise(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static float[] ToFloat(double[] v) => v.Select(x => (float)x).ToArray();
}
