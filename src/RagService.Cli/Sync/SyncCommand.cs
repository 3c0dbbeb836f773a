using RagService.Client;
using RagService.Client.Errors;
using RagService.Client.Models;
using RagService.Client.Sync;
using RagService.Cli.Terminal;

namespace RagService.Cli.Sync;

/// <summary>
/// rag sync: plans through <see cref="RagServiceClient.PlanFolderSyncAsync"/> (the service says which files changed and
/// which documents a prune deletes); stops there with --dry-run, or when the plan deletes more than the limits allow
/// without --yes (<see cref="DeleteLimit"/>); otherwise sends the changed files with the manifest (retried safely under
/// an idempotency key) and follows the job to the end with a progress display. Exit 0 only when every document synced.
/// </summary>
internal static class SyncCommand
{
    public static async Task<int> RunAsync(SyncArgs args)
    {
        using var client = new RagServiceClient(new RagServiceClientOptions
        {
            BaseAddress = args.Url,
            ApiKey = args.ApiKey,
            RequestTimeout = TimeSpan.FromMinutes(10),
            MaxRetries = 9,
        });
        try
        {
            var documents = await DocumentCountAsync(client, args.Collection);
            if (documents is null && !args.Create)
            {
                Console.Error.WriteLine($"rag sync: collection '{args.Collection}' does not exist on {args.Url}; add --create to create it");
                return 1;
            }

            SyncAccessMap? accessMap;
            try
            {
                accessMap = args.AccessMap is { } mapFile ? SyncAccessMap.Load(mapFile) : null;
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"rag sync: --access-map {args.AccessMap}: {e.Message}");
                return 2;
            }

            var options = new SyncFolderOptions(args.Prune, args.Extensions, args.Full, args.IdempotencyKey, AccessMap: accessMap, Planned: plan =>
                // The job's progress counts files to index plus documents to delete; say both, so the bar's total adds up.
                Console.Error.WriteLine(plan.Deletes is { } d
                    ? $"sync: sending {plan.Send} new or changed files; {plan.Files - plan.Send} unchanged; {d} documents to delete (--prune); progress total {plan.Send + d}"
                    : $"sync: sending all {plan.Send} files (--full){(args.Prune ? "; documents not in the folder are deleted and counted in the progress total" : "")}"));
            var plan = documents is null
                ? RagServiceClient.PlanFolderSyncIntoNewCollection(args.Folder, options)
                : await client.PlanFolderSyncAsync(args.Collection, args.Folder, options);
            if (args.DryRun)
            {
                SyncPlanPrinter.Print(Console.Out, args.Collection, plan, createsCollection: documents is null);
                Console.Out.WriteLine("dry run: nothing was written");
                return 0;
            }

            if (!args.Yes && DeleteLimit.Exceeded(plan.Deleted.Count, documents ?? 0, args.MaxDeletes, args.MaxDeleteShare) is { } reason)
            {
                SyncPlanPrinter.Print(Console.Out, args.Collection, plan, createsCollection: false);
                Console.Error.WriteLine($"rag sync: not syncing, because {reason}; check the plan above and run again with --yes to carry it out");
                return SyncArgs.ExitRefused;
            }

            if (documents is null)
            {
                await client.CreateCollectionAsync(new CollectionSettings(args.Collection));
                Console.Error.WriteLine($"sync: created collection '{args.Collection}'");
            }

            Console.Error.WriteLine($"sync: {args.Folder} → collection '{args.Collection}'");
            var job = await client.ApplyFolderSyncPlanAsync(args.Collection, plan, options);
            job = await ProgressDisplay.RunAsync("sync", progress => client.WaitForJobAsync(job.Id, new SyncProgress(progress)));
            return Report(job);
        }
        catch (RagServiceException e)
        {
            Console.Error.WriteLine($"rag sync: {e.Message}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            Console.Error.WriteLine($"rag sync: cannot reach {args.Url}: {e.Message}");
            return 1;
        }
    }

    /// <returns>The collection's document count, or null when it does not exist.</returns>
    private static async Task<int?> DocumentCountAsync(RagServiceClient client, string name)
    {
        try
        {
            return (await client.GetCollectionAsync(name)).Documents;
        }
        catch (RagServiceNotFoundException)
        {
            return null;
        }
    }

    private static int Report(Job job)
    {
        Console.WriteLine($"job {job.Id}: {job.State}");
        var c = job.Counts;
        foreach (var (name, count) in new[] { ("added", c.Added), ("updated", c.Updated), ("unchanged", c.Unchanged), ("deleted", c.Deleted), ("failed", c.Failed) })
        {
            Console.WriteLine($"  {name,-9} {count}");
        }

        foreach (var failure in job.Failed ?? [])
        {
            Console.WriteLine($"  FAILED {failure.Path}: {failure.Error}");
        }

        if (job.Error is { } error)
        {
            Console.WriteLine($"  error: {error}");
        }

        return job.State == "succeeded" ? 0 : 1;
    }

    /// <summary>Feeds each job state the client sees to the progress display (synchronously, unlike Progress&lt;T&gt;).</summary>
    private sealed class SyncProgress(IProgress<ProgressStep> progress) : IProgress<Job>
    {
        public void Report(Job value) => progress.Report(new ProgressStep(value.IsFinished ? "done" : value.Stage, value.Progress.Done, value.Progress.Total));
    }
}
