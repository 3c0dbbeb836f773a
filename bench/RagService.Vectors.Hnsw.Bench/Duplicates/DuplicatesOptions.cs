using System.Globalization;

namespace RagService.Vectors.Hnsw.Bench.Duplicates;

/// <summary>Command line of the duplicates mode.</summary>
internal sealed record DuplicatesOptions
{
    public int Dimension { get; init; } = 32;
    public int Random { get; init; } = 2_000;
    public int Duplicates { get; init; } = 300;
    public int AllIdentical { get; init; } = 500;
    public double[] NearDistances { get; init; } = [1e-7];
    public int[] Threads { get; init; } = [1, 2];
    public int Queries { get; init; } = 200;
    public int[] Ks { get; init; } = [10, 100];
    public int M { get; init; } = 16;
    public int EfConstruction { get; init; } = 200;
    public int Seed { get; init; } = 11;
    public bool RunHnswlib { get; init; }

    public const string Usage = """
        usage: RagService.Vectors.Hnsw.Bench duplicates [--dim 32] [--random 2000] [--duplicates 300] [--all-identical 500]
               [--near-distances 1e-7] [--threads 1,2] [--queries 200] [-k 10,100] [--M 16] [--ef-construction 200] [--seed 11] [--hnswlib]
          --random, --duplicates  random unit vectors and copies of one more vector, the copies at random places in the insert order
          --all-identical         size of the index that holds nothing but copies of one vector (0: skip)
          --near-distances        also build with the copies moved this far (L2) from the original, each in a random direction
          --hnswlib               build hnswlib (Debian python3-hnswlib) on the same vectors in the same order too
        """;

    public static DuplicatesOptions Parse(string[] args)
    {
        var o = new DuplicatesOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            int[] Ints() => Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            o = args[i] switch
            {
                "--dim" => o with { Dimension = Ints()[0] },
                "--random" => o with { Random = Ints()[0] },
                "--duplicates" => o with { Duplicates = Ints()[0] },
                "--all-identical" => o with { AllIdentical = Ints()[0] },
                "--near-distances" => o with { NearDistances = Next().Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray() },
                "--threads" => o with { Threads = Ints() },
                "--queries" => o with { Queries = Ints()[0] },
                "-k" => o with { Ks = Ints() },
                "--M" => o with { M = Ints()[0] },
                "--ef-construction" => o with { EfConstruction = Ints()[0] },
                "--seed" => o with { Seed = Ints()[0] },
                "--hnswlib" => o with { RunHnswlib = true },
                _ => throw new ArgumentException($"unknown option {args[i]}\n{Usage}"),
            };
        }
        return o;
    }
}
