using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Cli.CommandLine;
using RagService.Core.Ingestion;
using RagService.Core.Models;
using RagService.Onnx;

namespace RagService.Cli.Bench;

/// <summary>
/// `rag bench-embed`: the embedding ceiling of ingestion. Reads the chunks a service stored in one collection, rebuilds
/// the passages it embedded (contextual header + "\n" + text when the collection has headers on, as ingestion does) and
/// embeds them with the same model and session settings twice: one call per document (what ingestion does) and one call
/// for all of them (length-sorted batches across documents: what ONNX Runtime can do on these token lengths). Prints
/// chunks per second of each.
/// </summary>
internal static class EmbedBenchCommand
{
    /// <summary>`rag bench-embed`: its options and help.</summary>
    public static Command CreateCommand()
    {
        var db = OptionRules.Create<string>("--db", "a service's SQLite database (read only)", "PATH");
        var collection = OptionRules.Create<string>("--collection", "the collection whose chunks are embedded", "NAME");
        var embedding = OptionRules.Create<string>("--embedding-model", "ONNX embedding model directory", "DIR");
        db.Required = collection.Required = embedding.Required = true;
        var threads = OptionRules.Create("--intra-op-threads", "ORT intra-op threads (0: one per core, the service's default)", "N", 0).AtLeast(0);
        var spinning = IntraOpSpinningOption.Create();
        var command = new Command("bench-embed",
            "Embeds a collection's stored passages per document (as ingestion does) and all at once (the ONNX Runtime ceiling): chunks per second of each.")
        {
            db, collection, embedding, threads, spinning,
        };
        command.SetAction(parse => RunAsync(parse.GetRequiredValue(db), parse.GetRequiredValue(collection), parse.GetRequiredValue(embedding), parse.GetValue(threads),
            IntraOpSpinningOption.Parse(parse.GetValue(spinning))));
        return command;
    }

    private static async Task<int> RunAsync(string db, string collection, string modelDir, int threads, bool? spinning)
    {
        var documents = ReadPassages(db, collection);
        var (embedder, status) = OnnxModelLoader.LoadEmbedder(new OnnxModelOptions { ModelDirectory = modelDir, IntraOpThreads = threads, IntraOpSpinning = spinning });
        _ = embedder ?? throw new ArgumentException($"--embedding-model: {status.State}: {status.Detail}");
        var all = documents.SelectMany(d => d).ToList();
        Console.WriteLine($"{all.Count} passages in {documents.Count} documents of '{collection}' ({all.Average(p => p.Length):0} characters on average)");

        // Warm up the session on a few passages so neither pass pays the first run's allocations.
        await embedder.EmbedAsync(all.Take(32).ToList(), EmbeddingPurpose.Passage, CancellationToken.None);
        var perDocument = await ChunksPerSecondAsync(async () =>
        {
            foreach (var document in documents)
            {
                await embedder.EmbedAsync(document, EmbeddingPurpose.Passage, CancellationToken.None);
            }
        }, all.Count);
        var together = await ChunksPerSecondAsync(() => embedder.EmbedAsync(all, EmbeddingPurpose.Passage, CancellationToken.None), all.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"embedding per document (as ingestion batches): {perDocument.Wall:0.0} chunks/s wall, {perDocument.Cpu:0.0} per CPU second"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"embedding all at once (ORT ceiling, length-sorted batches across documents): {together.Wall:0.0} chunks/s wall, {together.Cpu:0.0} per CPU second"));
        return 0;
    }

    private static async Task<(double Wall, double Cpu)> ChunksPerSecondAsync(Func<Task> pass, int chunks)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuStart = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await pass();
        process.Refresh();
        return (chunks / wall.Elapsed.TotalSeconds, chunks / (process.TotalProcessorTime - cpuStart).TotalSeconds);
    }

    /// <summary>Each document's passages in chunk order, as ingestion handed them to the embedder.</summary>
    private static List<List<string>> ReadPassages(string db, string collection)
    {
        if (!File.Exists(db))
        {
            throw new ArgumentException($"--db {db} does not exist");
        }

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var settings = connection.CreateCommand();
        settings.CommandText = "SELECT settings FROM collections WHERE name = $name";
        settings.Parameters.AddWithValue("$name", collection);
        var json = settings.ExecuteScalar() as string ?? throw new ArgumentException($"--collection '{collection}' is not in {db}");
        var headers = !JsonDocument.Parse(json).RootElement.TryGetProperty("contextualHeaders", out var on) || on.GetBoolean();

        using var chunks = connection.CreateCommand();
        chunks.CommandText = """
            SELECT d.id, d.title, c.heading_path, c.text FROM chunks c JOIN documents d ON d.id = c.document_id
            JOIN collections k ON k.id = d.collection_id WHERE k.name = $name ORDER BY d.id, c.ordinal
            """;
        chunks.Parameters.AddWithValue("$name", collection);
        var documents = new List<List<string>>();
        long? current = null;
        using var reader = chunks.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetInt64(0) != current)
            {
                current = reader.GetInt64(0);
                documents.Add([]);
            }

            var text = reader.GetString(3);
            var header = headers ? ContextHeader.For(reader.IsDBNull(1) ? null : reader.GetString(1), JsonSerializer.Deserialize<string[]>(reader.GetString(2)) ?? []) : "";
            documents[^1].Add(header.Length == 0 ? text : header + "\n" + text);
        }

        return documents.Count > 0 ? documents : throw new ArgumentException($"--collection '{collection}' holds no chunks");
    }
}
