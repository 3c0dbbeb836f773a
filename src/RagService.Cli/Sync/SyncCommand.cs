using RagService.Client;
using RagService.Client.Errors;
using RagService.Client.Models;

namespace RagService.Cli.Sync;

/// <summary>
/// rag sync: through <see cref="RagServiceClient.SyncFolderAsync"/> (which asks the service which files changed, zips
/// only those with the manifest and retries safely under an idempotency key), then follows the job to the end with a
/// progress bar. Exit 0 only when every document synced.
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
            if (args.Create)
            {
                await EnsureCollectionAsync(client, args.Collection);
            }
            else
            {
                try
                {
                    await client.GetCollectionAsync(args.Collection);
                }
                catch (RagServiceNotFoundException)
                {
                    Console.Error.WriteLine($"rag sync: collection '{args.Collection}' does not exist on {args.Url}; add --create to create it");
                    return 1;
                }
            }

            Console.Error.WriteLine($"sync: {args.Folder} → collection '{args.Collection}'");
            var job = await client.SyncFolderAsync(args.Collection, args.Folder,
                new SyncFolderOptions(args.Prune, args.Extensions, args.Full, args.IdempotencyKey, plan =>
                    // The job's progress counts files to index plus documents to delete; say both, so the bar's total adds up.
                    Console.Error.WriteLine(plan.Deletes is { } d
                        ? $"sync: sending {plan.Send} new or changed files; {plan.Files - plan.Send} unchanged; {d} documents to delete (--prune); progress total {plan.Send + d}"
                        : $"sync: sending all {plan.Send} files (--full){(args.Prune ? "; documents not in the folder are deleted and counted in the progress total" : "")}")));
            var bar = new ProgressBar();
            job = await client.WaitForJobAsync(job.Id, new SyncProgress(bar));
            bar.Finish();
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

    private static async Task EnsureCollectionAsync(RagServiceClient client, string name)
    {
        try
        {
            await client.GetCollectionAsync(name);
        }
        catch (RagServiceNotFoundException)
        {
            await client.CreateCollectionAsync(new CollectionSettings(name));
            Console.Error.WriteLine($"sync: created collection '{name}'");
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

    /// <summary>Feeds each job state the client sees to the progress bar (synchronously, unlike Progress&lt;T&gt;).</summary>
    private sealed class SyncProgress(ProgressBar bar) : IProgress<Job>
    {
        public void Report(Job value) => bar.Report(value.IsFinished ? "done" : value.Stage, value.Progress.Done, value.Progress.Total);
    }
}
