namespace RagService.Vectors.Hnsw.Bench;

/// <summary>Command line of the benchmark.</summary>
internal sealed record BenchOptions
{
    public required string DataDir { get; init; }
    public int M { get; init; } = 16;
    public int EfConstruction { get; init; } = 200;
    public int BuildThreads { get; init; } = 2;
    public int[] Ef { get; init; } = [16, 32, 64, 128, 256];
    public int K { get; init; } = 10;
    public int Repeats { get; init; } = 3;
    public double MinSeconds { get; init; } = 2.0;
    public int ExactQueries { get; init; } = 200;
    public bool RunHnswlib { get; init; }
    public string? HnswlibJson { get; init; }
    public string? AnchorsDir { get; init; }
    public string? IndexCache { get; init; }
    public VectorQuantization Quantization { get; init; } = VectorQuantization.None;
    public int RescoreFactor { get; init; } = new VectorIndexOptions().RescoreFactor;
    public string? FloatDir { get; init; }

    public const string Usage = """
        usage: RagService.Vectors.Hnsw.Bench DATA_DIR [--M 16] [--ef-construction 200] [--threads 2]
               [--ef 16,32,64,128,256] [-k 10] [--repeats 3] [--min-seconds 2] [--exact-queries 200]
               [--hnswlib] [--hnswlib-json FILE] [--anchors DIR] [--index-cache FILE]
               [--quantization none|int8] [--rescore-factor 4] [--float-dir DIR]
          DATA_DIR        a data set written by shared/anchors/ann/gen.py
          --hnswlib       also run shared/anchors/ann/bench.py --libs hnswlib in this run (after ours)
          --hnswlib-json  compare against the JSON of an earlier bench.py run instead
          --index-cache   load our index from this snapshot when it exists (no build timing), else build and save it
          --anchors DIR   where bench.py lives (default: found upward from the current directory, or /work/shared/anchors/ann)
          --quantization  how our graph stores vectors (Rag:Vectors:Quantization); one per process, so that the RSS
                          delta is this index's (bench/hnsw-int8.sh runs both)
          --float-dir     where an int8 index keeps its memory-mapped float vectors (default: the temp folder)
        """;

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new ArgumentException(Usage);
        }

        var o = new BenchOptions { DataDir = args[0] };
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value\n{Usage}");
            o = args[i] switch
            {
                "--M" => o with { M = int.Parse(Next()) },
                "--ef-construction" => o with { EfConstruction = int.Parse(Next()) },
                "--threads" => o with { BuildThreads = int.Parse(Next()) },
                "--ef" => o with { Ef = Next().Split(',').Select(int.Parse).ToArray() },
                "-k" => o with { K = int.Parse(Next()) },
                "--repeats" => o with { Repeats = int.Parse(Next()) },
                "--min-seconds" => o with { MinSeconds = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--exact-queries" => o with { ExactQueries = int.Parse(Next()) },
                "--hnswlib" => o with { RunHnswlib = true },
                "--hnswlib-json" => o with { HnswlibJson = Next() },
                "--anchors" => o with { AnchorsDir = Next() },
                "--index-cache" => o with { IndexCache = Next() },
                "--quantization" => o with { Quantization = Next() switch
                {
                    "none" => VectorQuantization.None,
                    "int8" => VectorQuantization.Int8,
                    var other => throw new ArgumentException($"--quantization must be none or int8, not {other}"),
                } },
                "--rescore-factor" => o with { RescoreFactor = int.Parse(Next()) },
                "--float-dir" => o with { FloatDir = Next() },
                _ => throw new ArgumentException($"unknown option {args[i]}\n{Usage}"),
            };
        }
        return o;
    }
}
