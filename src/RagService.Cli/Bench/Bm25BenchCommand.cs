using System.Diagnostics;
using System.CommandLine;
using System.Globalization;
using RagService.Cli.CommandLine;
using RagService.Cli.Local;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Storage.Sqlite;
using RagService.Core.Locking;

namespace RagService.Cli.Bench;

/// <summary>
/// `rag bench-bm25`: one BM25 engine at scale, in its own process so its memory is its own. Fills a SQLite store with
/// synthetic Chinese chunks once (reused by later runs on the same --db), then measures: first answer after start (the
/// engine loads or builds its index), queries per second (wall and per CPU second), RSS, index size on disk and write
/// throughput (documents of 10 chunks, each its own write).
/// </summary>
internal static class Bm25BenchCommand
{
    private const int ChunksPerDocument = 100;

    /// <summary>`rag bench-bm25`: its options and help.</summary>
    public static Command CreateCommand()
    {
        var engine = OptionRules.Create<string>("--engine", "memory | lucene", "E").OneOf("memory", "lucene");
        var db = OptionRules.Create<string>("--db", "the database: filled with synthetic chunks if it does not exist, reused otherwise", "PATH");
        engine.Required = db.Required = true;
        var chunks = OptionRules.Create("--chunks", "synthetic chunks to fill a new database with", "N", 100_000).AtLeast(1);
        var seconds = OptionRules.Create("--seconds", "how long queries per second are measured", "S", 10).AtLeast(1);
        var writes = OptionRules.Create("--writes", "writes of 10 chunks timed at the end", "N", 200).AtLeast(0);
        var commitEvery = OptionRules.Create("--commit-every", "writes per Lucene commit", "N", 1).AtLeast(1);
        var command = new Command("bench-bm25", "Measures one BM25 engine at scale: first answer, QPS, RSS, index size and write throughput.")
        {
            engine, db, chunks, seconds, writes, commitEvery,
        };
        command.SetAction(parse => RunAsync(
            parse.GetRequiredValue(engine), parse.GetRequiredValue(db), parse.GetValue(chunks), parse.GetValue(seconds), parse.GetValue(writes), parse.GetValue(commitEvery)));
        return command;
    }

    private static async Task<int> RunAsync(string engine, string db, int chunks, int seconds, int writes, int commitEvery)
    {
        // It writes the database: refused while a service (or another run) owns it.
        using var dataLock = DataFolderLock.Acquire(db, "--db");
        var analyzer = new MixedScriptAnalyzer();
        var corpus = new BenchCorpus(chunks, ChunksPerDocument);
        if (!File.Exists(db))
        {
            await corpus.FillAsync(db, analyzer);
        }

        var queries = corpus.Queries(2_000);
        var started = Stopwatch.StartNew();
        using var kb = LocalKnowledgeBase.Open(db, engine, commitEveryWrites: commitEvery);
        var collection = (await kb.Store.GetCollectionAsync(BenchCorpus.CollectionName, CancellationToken.None))!;
        var first = await kb.Lexical.SearchAsync(collection, analyzer.AnalyzeQuery(queries[0]), 100, SearchFilter.None, CancellationToken.None);
        var firstAnswer = started.Elapsed;
        var process = Process.GetCurrentProcess();
        var firstAnswerCpu = process.TotalProcessorTime;
        var stats = await kb.Lexical.GetStatsAsync(collection, CancellationToken.None);
        Console.WriteLine($"engine {engine}: {stats.Entries} chunks; first answer after {firstAnswer.TotalSeconds:0.00} s wall, " +
            $"{firstAnswerCpu.TotalSeconds:0.0} CPU s since process start ({stats.Load}); {first.Count} hits");

        var cpuStart = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var count = 0;
        while (wall.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await kb.Lexical.SearchAsync(collection, analyzer.AnalyzeQuery(queries[count % queries.Count]), 100, SearchFilter.None, CancellationToken.None);
            count++;
        }

        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        Console.WriteLine($"queries: {count / wall.Elapsed.TotalSeconds:0} QPS wall, {count / cpu:0} per CPU second (top 100, single caller, {count} queries)");

        GC.Collect();
        process.Refresh();
        var indexBytes = engine == "lucene" && Directory.Exists(db + ".lucene") ? new DirectoryInfo(db + ".lucene").EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) : 0;
        Console.WriteLine($"RSS {process.WorkingSet64 / 1048576.0:0} MiB (managed heap {GC.GetTotalMemory(false) / 1048576.0:0} MiB); " +
            $"index on disk {indexBytes / 1048576.0:0.0} MiB; SQLite {new FileInfo(db).Length / 1048576.0:0} MiB");

        var writer = new SyntheticCorpus(seed: Environment.ProcessId);
        var run = Guid.NewGuid().ToString("N")[..6];
        wall.Restart();
        for (var d = 0; d < writes; d++)
        {
            var batch = Enumerable.Range(0, 10).Select(k =>
            {
                var text = writer.Chunk();
                return new IndexedChunk(new Chunk(k, text, [], null), analyzer.Analyze(text), []);
            }).ToList();
            await kb.Store.UpsertDocumentAsync(collection, new DocumentWrite($"w-{run}-{d}", null, $"{run}{d}", "text", new Dictionary<string, string>(), batch), CancellationToken.None);
        }

        Console.WriteLine($"writes: {writes / wall.Elapsed.TotalSeconds:0.0} documents/s = {writes * 10 / wall.Elapsed.TotalSeconds:0} chunks/s " +
            $"(documents of 10 chunks, one write each, searchable on return{(engine == "lucene" ? $", Lucene commit every {commitEvery} writes" : "")})");
        return 0;
    }
}
