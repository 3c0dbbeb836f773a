using System.CommandLine;
using RagService.Cli.CommandLine;
using RagService.Cli.Migrate.Store;
using RagService.Cli.Terminal;
using RagService.Core.Storage;
using RagService.Storage.Postgres;

namespace RagService.Cli.Migrate;

/// <summary>
/// `rag migrate-store --from sqlite:PATH --to postgres:CONN`: copies a SQLite store into PostgreSQL with its ids
/// (<see cref="StoreMigration"/>), showing progress on stderr, a line per collection on stdout, and a count check at
/// the end. Exit 0: copied and counted; 1: PostgreSQL unreachable or failing, the target refused, or counts differ;
/// 2: bad arguments; 130: interrupted (run again to continue).
/// </summary>
internal static class MigrateStoreCommand
{
    public const int ExitInterrupted = 130;

    public static Command CreateCommand()
    {
        var from = OptionRules.Create<string>("--from", "the source store: sqlite:PATH (the service's Rag:DatabasePath)", "sqlite:PATH");
        from.Required = true;
        var to = OptionRules.Create<string>("--to", "the target store: postgres:CONN, an Npgsql connection string (Host=...;Database=...;Username=...;Password=...)", "postgres:CONN");
        to.Required = true;
        var page = OptionRules.Create("--page", "documents written per transaction", "N", 200).Within(1, 10_000);
        var command = new Command("migrate-store", "Copies a SQLite store into PostgreSQL: collections, documents, chunks and vectors (no re-embedding), " +
            "API keys (hashes as stored) and finished jobs, with their ids. Resumable: run it again after an interruption and it goes on without " +
            "duplicating. Checks counts at the end. Stop the service (or its writes) first; then serve with Rag:Store=postgres. Exit 0: copied " +
            "and counted; 1: PostgreSQL failed, the target holds other collections, or counts differ; 2: bad arguments; 130: interrupted.")
        {
            from, to, page,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetRequiredValue(from), parse.GetRequiredValue(to), parse.GetValue(page), ct));
        return command;
    }

    private static async Task<int> RunAsync(string from, string to, int page, CancellationToken ct)
    {
        var path = StoreAddress.SqlitePath(from);
        var options = StoreAddress.Postgres(to);
        using var database = new PostgresDatabase(options);
        if (await database.CheckAsync(ct) is { IsOn: false } status)
        {
            await Console.Error.WriteLineAsync($"rag: cannot use the target: {status.Detail}. Nothing was copied.");
            return 1;
        }

        using var source = new SqliteSource(path);
        var migration = new StoreMigration(source, new PostgresTarget(database), page, Console.Out);
        try
        {
            var mismatches = await ProgressDisplay.RunAsync("migrate-store", progress => migration.RunAsync(progress, ct));
            if (mismatches.Count > 0)
            {
                await Console.Error.WriteLineAsync("rag: count check failed:\n  " + string.Join("\n  ", mismatches) +
                    "\nWas a store written during the migration? Run the same command again to bring the target up to date.");
                return 1;
            }

            Console.WriteLine($"migrated {path} into {database.Location}; counts agree");
            return 0;
        }
        catch (MigrationRefusedException e)
        {
            await Console.Error.WriteLineAsync($"rag: {e.Message} Nothing was copied.");
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"rag: migrate-store interrupted after copying {migration.DocumentsCopied} documents this run; what was copied is kept. " +
                "Run the same command again to continue.");
            return ExitInterrupted;
        }
        catch (StorageUnavailableException e)
        {
            await Console.Error.WriteLineAsync($"rag: {e.Message}. What was copied is kept: run the same command again to continue.");
            return 1;
        }
    }
}
