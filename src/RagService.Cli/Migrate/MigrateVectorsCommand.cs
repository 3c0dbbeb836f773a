using RagService.Cli.Sync;
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
    public const string Usage = """
        rag migrate-vectors --collection C --to qdrant [--db PATH] [--qdrant-url URL] [--qdrant-api-key KEY] [--prefix P] [--batch N]
            Copies collection C's stored vectors into Qdrant (no re-embedding); resumable; checks counts at the end.
            --db defaults to RAG_DB or data/ragservice.db (the service's default, relative to the folder it runs in);
            --qdrant-url (gRPC, e.g. http://localhost:6334) to RAG_QDRANT_URL;
            --prefix must match the service's Rag:Qdrant:CollectionPrefix (default rag_); --batch: vectors per page (500).
            Then serve with Rag:VectorStore=qdrant. Exit 0: copied and counted; 1: Qdrant failed or counts differ; 2: bad arguments.
        """;

    /// <summary>The service's Rag:DatabasePath default (appsettings.json), relative to the folder it runs in.</summary>
    public const string DefaultDatabase = "data/ragservice.db";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        var database = options.GetValueOrDefault("--db") ?? (Environment.GetEnvironmentVariable("RAG_DB") is { Length: > 0 } env ? env : DefaultDatabase);
        var name = options.GetValueOrDefault("--collection") ?? throw new ArgumentException("--collection is required");
        if (options.GetValueOrDefault("--to") != "qdrant")
        {
            throw new ArgumentException("--to qdrant is required (the only target)");
        }

        if (!File.Exists(database))
        {
            throw new ArgumentException($"no database at {Path.GetFullPath(database)} (set --db or RAG_DB)");
        }

        var batch = int.TryParse(options.GetValueOrDefault("--batch") ?? "500", out var b) && b is >= 1 and <= 10_000
            ? b : throw new ArgumentException("--batch must be a number within 1..10000");
        var qdrantOptions = new QdrantOptions
        {
            Url = options.GetValueOrDefault("--qdrant-url") ?? Environment.GetEnvironmentVariable("RAG_QDRANT_URL"),
            ApiKey = options.GetValueOrDefault("--qdrant-api-key") ?? Environment.GetEnvironmentVariable("RAG_QDRANT_API_KEY"),
            CollectionPrefix = options.GetValueOrDefault("--prefix") ?? new QdrantOptions().CollectionPrefix,
        }.Validate();

        var storeOptions = new SqliteStoreOptions { DatabasePath = database };
        var collection = await new SqliteKnowledgeStore(storeOptions).GetCollectionAsync(name, CancellationToken.None)
            ?? throw new ArgumentException($"no collection '{name}' in {database}");
        var export = new SqliteVectorExport(storeOptions);
        var (dimension, total) = export.Describe(collection.Id);
        using var qdrant = new QdrantVectorSearchIndex(qdrantOptions);
        try
        {
            var progress = new ProgressBar();
            long done = 0, copied = 0, last = 0;
            while (true)
            {
                var page = export.ReadPage(collection.Id, dimension, last, batch);
                if (page.Count == 0)
                {
                    break;
                }

                var present = await qdrant.ExistingAsync(collection, page.Select(v => v.ChunkId).ToList(), CancellationToken.None);
                var missing = page.Where(v => !present.Contains(v.ChunkId)).Select(v => (v.Document, v.ChunkId, v.Vector)).ToList();
                await qdrant.CopyAsync(collection, missing, CancellationToken.None);
                copied += missing.Count;
                done += page.Count;
                last = page[^1].ChunkId;
                progress.Report("copying", (int)Math.Min(done, int.MaxValue), (int)Math.Min(total, int.MaxValue));
            }

            progress.Finish();
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

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            options[args[i]] = args[++i];
        }

        return options;
    }
}
