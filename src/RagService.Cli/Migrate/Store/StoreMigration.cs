using RagService.Cli.Terminal;

namespace RagService.Cli.Migrate.Store;

/// <summary>
/// Copies a SQLite store into PostgreSQL, ids kept: collections, documents with their chunks, terms and vectors (no
/// re-embedding), fusion calibrations, the chunk-context cache, API keys (hashes as stored) and finished jobs with their
/// items. Resumable: each page of documents is one transaction, and a document already in the target under its id,
/// unchanged, is not written again, so a rerun after an interruption goes on where the last committed page ended;
/// documents changed or deleted in the source since are replaced or removed. The target may hold only collections
/// this source gave (an earlier run's); anything else is refused before a row is written. At the end the identity
/// sequences move past every id the source ever gave, and the counts of both stores are compared.
/// </summary>
internal sealed class StoreMigration(SqliteSource source, PostgresTarget target, int pageSize, TextWriter log)
{
    /// <summary>How many documents this run wrote (for the message after an interruption).</summary>
    public long DocumentsCopied { get; private set; }

    /// <returns>The count mismatches found at the end, one line each; empty when both stores agree.</returns>
    public async Task<IReadOnlyList<string>> RunAsync(IProgress<ProgressStep> progress, CancellationToken ct)
    {
        var collections = source.Collections();
        await RefuseForeignCollectionsAsync(collections, ct);
        var totals = collections.ToDictionary(c => c.Id, c => source.Count(c.Id));
        var total = (int)Math.Min(int.MaxValue, totals.Values.Sum(t => t.Documents));
        var done = 0;
        foreach (var collection in collections)
        {
            await target.UpsertCollectionAsync(collection, ct);
            var (seen, copied) = await CopyDocumentsAsync(collection, progress, done, total, ct);
            var removed = await target.DeleteDocumentsExceptAsync(collection.Id, seen, ct);
            done += seen.Count;
            await log.WriteLineAsync($"{collection.Name}: {seen.Count} documents, {copied} copied now, {seen.Count - copied} were already there" +
                (removed > 0 ? $", {removed} no longer in the source removed" : ""));
        }

        foreach (var (collectionId, calibration) in source.Calibrations())
        {
            await target.UpsertCalibrationAsync(collectionId, calibration, ct);
        }

        await CopyContextCacheAsync(ct);
        var keys = source.Keys();
        await target.UpsertKeysAsync(keys, ct);
        var jobs = await CopyJobsAsync(progress, ct);
        await target.AdvanceIdsAsync(new Dictionary<string, long>
        {
            ["collections"] = source.HighestId("collections"),
            ["documents"] = source.HighestId("documents"),
            ["chunks"] = source.HighestId("chunks"),
        }, ct);
        await log.WriteLineAsync($"api keys: {keys.Count}; finished jobs: {jobs.Count}");
        return await CompareCountsAsync(collections, keys.Select(k => k.Id).ToList(), jobs, ct);
    }

    private async Task RefuseForeignCollectionsAsync(IReadOnlyList<CollectionRow> collections, CancellationToken ct)
    {
        var ours = collections.ToDictionary(c => c.Id, c => c.Name);
        var foreign = (await target.CollectionsAsync(ct)).Where(t => !ours.TryGetValue(t.Id, out var name) || name != t.Name).ToList();
        if (foreign.Count > 0)
        {
            throw new MigrationRefusedException($"the PostgreSQL database {target.Location} holds collection(s) this SQLite store does not: " +
                string.Join(", ", foreign.Select(f => $"'{f.Name}' (id {f.Id})")) +
                ". migrate-store copies into an empty database (or one it copied this store into before); choose another database or delete those collections.");
        }
    }

    private async Task<(HashSet<long> Seen, int Copied)> CopyDocumentsAsync(CollectionRow collection, IProgress<ProgressStep> progress, int before, int total, CancellationToken ct)
    {
        var seen = new HashSet<long>();
        var copied = 0;
        for (long after = 0; ;)
        {
            ct.ThrowIfCancellationRequested();
            var page = source.Documents(collection.Id, after, pageSize);
            if (page.Count == 0)
            {
                return (seen, copied);
            }

            var chunks = source.Chunks(collection.Id, after, page[^1].Id);
            var now = await target.WriteDocumentsAsync(page, chunks, ct);
            copied += now;
            DocumentsCopied += now;
            seen.UnionWith(page.Select(d => d.Id));
            after = page[^1].Id;
            progress.Report(new ProgressStep($"documents of {collection.Name}", before + seen.Count, total));
        }
    }

    private async Task CopyContextCacheAsync(CancellationToken ct)
    {
        for (var after = ""; ;)
        {
            var page = source.ContextCache(after, 1000);
            if (page.Count == 0)
            {
                return;
            }

            await target.AddContextCacheAsync(page, ct);
            after = page[^1].Key;
        }
    }

    private async Task<List<string>> CopyJobsAsync(IProgress<ProgressStep> progress, CancellationToken ct)
    {
        var total = (int)Math.Min(int.MaxValue, source.CountFinishedJobs());
        var ids = new List<string>();
        for (var after = ""; ;)
        {
            var page = source.FinishedJobs(after, 100);
            if (page.Count == 0)
            {
                return ids;
            }

            await target.AddJobsAsync(page, ct);
            ids.AddRange(page.Select(j => j.Id));
            after = page[^1].Id;
            progress.Report(new ProgressStep("finished jobs", ids.Count, total));
        }
    }

    private async Task<IReadOnlyList<string>> CompareCountsAsync(IReadOnlyList<CollectionRow> collections, List<string> keyIds, List<string> jobIds, CancellationToken ct)
    {
        var mismatches = new List<string>();
        foreach (var collection in collections)
        {
            var (want, have) = (source.Count(collection.Id), await target.CountAsync(collection.Id, ct));
            if (want != have)
            {
                mismatches.Add($"collection '{collection.Name}': SQLite holds {want.Documents} documents, {want.Chunks} chunks, {want.Vectors} vectors; " +
                    $"PostgreSQL {have.Documents}, {have.Chunks}, {have.Vectors}");
            }
        }

        Compare(mismatches, "api keys", source.CountKeys(), await target.CountPresentAsync("api_keys", keyIds, ct));
        Compare(mismatches, "finished jobs", source.CountFinishedJobs(), await target.CountPresentAsync("jobs", jobIds, ct));
        return mismatches;
    }

    private static void Compare(List<string> mismatches, string what, long want, long have)
    {
        if (want != have)
        {
            mismatches.Add($"{what}: SQLite holds {want}, PostgreSQL {have} of them");
        }
    }
}

/// <summary>The target cannot take this source's rows (it holds other collections); nothing was written.</summary>
internal sealed class MigrationRefusedException(string message) : Exception(message);
