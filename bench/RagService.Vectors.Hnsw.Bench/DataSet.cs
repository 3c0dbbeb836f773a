namespace RagService.Vectors.Hnsw.Bench;

/// <summary>Base vectors, queries and exact ground truth of a gen.py data set.</summary>
internal sealed class DataSet
{
    public required float[] Base { get; init; }
    public required float[] Queries { get; init; }
    public required int[] GroundTruth { get; init; }
    public required int Count { get; init; }
    public required int QueryCount { get; init; }
    public required int Dim { get; init; }
    public required int GroundTruthWidth { get; init; }

    public ReadOnlySpan<float> BaseRow(int i) => Base.AsSpan(i * Dim, Dim);

    public ReadOnlySpan<float> Query(int i) => Queries.AsSpan(i * Dim, Dim);

    public static DataSet Load(string dir)
    {
        var (b, n, d) = VecsFile.Read<float>(Path.Combine(dir, "base.fvecs"));
        var (q, nq, dq) = VecsFile.Read<float>(Path.Combine(dir, "query.fvecs"));
        var (gt, ngt, w) = VecsFile.Read<int>(Path.Combine(dir, "groundtruth.ivecs"));
        if (dq != d || ngt != nq)
        {
            throw new InvalidDataException("data set shapes do not fit together");
        }

        return new DataSet { Base = b, Queries = q, GroundTruth = gt, Count = n, QueryCount = nq, Dim = d, GroundTruthWidth = w };
    }

    /// <summary>Mean over queries of |found[:k] ∩ truth[:k]| / k.</summary>
    public double Recall(long[][] found, int k, int queries)
    {
        long hits = 0;
        for (int qi = 0; qi < queries; qi++)
        {
            var truth = GroundTruth.AsSpan(qi * GroundTruthWidth, k);
            foreach (long id in found[qi].Take(k))
            {
                if (truth.Contains((int)id))
                {
                    hits++;
                }
            }
        }
        return (double)hits / ((long)queries * k);
    }
}
