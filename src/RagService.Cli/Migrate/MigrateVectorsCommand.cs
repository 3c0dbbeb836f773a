using System.CommandLine;
using RagService.Cli.CommandLine;
using RagService.Cli.Terminal;
using RagService.Storage.Sqlite;
using RagService.Vectors.Qdrant;

namespace RagService.Cli.Migrate;

/// <summary>
/// `rag migrate-vectors`: copies a collection's stored vectors from the SQLite database into Qdrant, page by page in
/// chunk id order, without re-embedding. Pages whose points are already in Qdrant are skipped, so a run that stopped
/// (or failed) resumes where it was; at the end the counts on both sides must agree.
/// </summary>
internal static class MigrateVectorsCommand
{
    /// <summary>The service's Rag:DatabasePath default (appsettings.json), relative to the folder it runs in.</summary>
    public const string DefaultDatabase = "data/ragservice.db";

    /// <summary>`rag migrate-vectors`: its options, help and checks.</summary>
    public static Command CreateCommand()
    {
        var collection = OptionRules.Create<string>("--collection", "the collection whose vectors are copied", "C");
        collection.Required = true;
        var to = OptionRules.Create<string>("--to", "the target: qdrant (the only one)", "qdrant");
        var db = OptionRules.Create<string>("--db", $"the SQLite database (default $RAG_DB or {DefaultDatabase}, the service's default, relative to the folder it runs in)", "PATH");
        var qdrantUrl = OptionRules.Create<string>("--qdrant-url", "Qdrant's gRPC URL, e.g. http://localhost:6334 (default $RAG_QDRANT_URL)", "URL");
        var qdrantKey = OptionRules.Create<string>("--qdrant-api-key", "Qdrant's API key (default $RAG_QDRANT_API_KEY)", "KEY");
        var prefix = OptionRules.Create("--prefix", "must match the service's Rag:Qdrant:CollectionPrefix", "P", new QdrantOptions().CollectionPrefix);
        var batch = OptionRules.Create("--batch", "vectors per page", "N", 500).Within(1, 10_000);
        var command = new Command("migrate-vectors", "Copies collection C's stored vectors from the SQLite database into Qdrant (no re-embedding); resumable; checks " +
            "counts at the end. Then serve with Rag:VectorStore=qdrant. Exit 0: copied and counted; 1: Qdrant failed or " +
            "counts differ; 2: bad arguments.")
        {
            collection, to, db, qdrantUrl, qdrantKey, prefix, batch,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(to) != "qdrant")
            {
                result.AddError($"--to qdrant is required (the only target){(result.GetValue(to) is { } other ? $", not '{other}'" : "")}");
            }
        });
        command.SetAction(parse => RunAsync(
            parse.GetRequiredValue(collection),
            parse.GetValue(db) ?? (Environment.GetEnvironmentVariable("RAG_DB") is { Length: > 0 } env ? env : DefaultDatabase),
            new QdrantOptions
            {
                Url = parse.GetValue(qdrantUrl) ?? Environment.GetEnvironmentVariable("RAG_QDRANT_URL"),
                ApiKey = parse.GetValue(qdrantKey) ?? Environment.GetEnvironmentVariable("RAG_QDRANT_API_KEY"),
                CollectionPrefix = parse.GetRequiredValue(prefix),
            },
            parse.GetValue(batch)));
        return command;
    }

    private static async Task<int> RunAsync(string name, string database, QdrantOptions qdrantOptions, int batch)
    {
        if (!File.Exists(database))
        {
            throw new ArgumentException($"no database at {Path.GetFullPath(database)} (set --db or RAG_DB)");
        }

        qdrantOptions.Validate();
        var storeOptions = new SqliteStoreOptions { DatabasePath = database };
        var collection = await new SqliteKnowledgeStore(storeOptions).GetCollectionAsync(name, CancellationToken.None)
            ?? throw new ArgumentException($"no collection '{name}' in {database}");
        var export = new SqliteVectorExport(storeOptions);
        var (dimension, total) = export.Describe(collection.Id);
        using var qdrant = new QdrantVectorSearchIndex(qdrantOptions);
        try
        {
            var (done, copied) = await ProgressDisplay.RunAsync("migrate-vectors", progress => CopyAsync(export, qdrant, collection, dimension, total, batch, progress));
            var inQdrant = await qdrant.CountAsync(collection, CancellationToken.None);
            Console.WriteLine($"{name}: {total} vectors of dimension {dimension} in SQLite; {copied} copied now, {done - copied} were already in Qdrant; "
                + $"Qdrant alias {qdrant.AliasOf(collection)} holds {inQdrant}");
            if ((long)inQdrant != total)
            {
                Console.Error.WriteLine($"rag: count check failed: SQLite holds {total} vectors, Qdrant {inQdrant}. Was the collection written meanwhile? Run again to resume.");
                return 1;
            }

            return 0;
        }
        catch (Core.Storage.StorageUnavailableException e)
        {
            Console.Error.WriteLine($"rag: {e.Message}. Nothing copied is lost: run the same command again to resume.");
            return 1;
        }
    }

    /// <summary>Copies the pages not yet in Qdrant.</summary>
    /// <returns>Vectors read, and of those, copied now.</returns>
    private static async Task<(long Done, long Copied)> CopyAsync(
        SqliteVectorExport export, QdrantVectorSearchIndex qdrant, Core.Storage.CollectionInfo collection, int dimension, long total, int batch, IProgress<ProgressStep> progress)
    {
        long done = 0, copied = 0, last = 0;
        while (true)
        {
            var page = export.ReadPage(collection.Id, dimension, last, batch);
            if (page.Count == 0)
            {
                return (done, copied);
            }

            var present = await qdrant.ExistingAsync(collection, page.Select(v => v.ChunkId).ToList(), CancellationToken.None);
            var missing = page.Where(v => !present.Contains(v.ChunkId)).Select(v => (v.Document, v.ChunkId, v.Vector)).ToList();
            await qdrant.CopyAsync(collection, missing, CancellationToken.None);
            copied += missing.Count;
            done += page.Count;
            last = page[^1].ChunkId;
            progress.Report(new ProgressStep("copying", (int)Math.Min(done, int.MaxValue), (int)Math.Min(total, int.MaxValue)));
        }
    }
}
