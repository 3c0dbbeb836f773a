using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using RagService.Api.Archives;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Core.Access;
using RagService.Core.Jobs;
using RagService.Core.Storage;

namespace RagService.Api.Jobs;

/// <param name="Completed">True when the sync ran within the request.</param>
internal sealed record SyncSubmitted(JobRecord Job, bool Completed);

/// <summary>A refusal the client should retry later (429 queue full, 503 shutting down); answered with a Retry-After header.</summary>
internal sealed class RetryLaterException(int status, string title, string detail, int retryAfterSeconds) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>
/// Accepts a sync request: reads the archive safely, plans against the stored hashes, stores the job with the files it
/// needs (in the store, so any replica can run it), and runs it in the request when small and its collection is free, or
/// leaves it to the workers. Nothing is written for a refused request.
/// </summary>
internal sealed class SyncSubmission(
    IKnowledgeStore store, IJobStore jobs, JobWakeup wakeup, JobLeaseOwner owner, SyncJobRunner runner,
    IOptions<RagOptions> options, IHostApplicationLifetime lifetime, DocumentIngestor ingestor)
{
    private const int MaxIdempotencyKeyLength = 200;

    private SyncOptions Sync => options.Value.Sync;

    /// <param name="access">What the caller may read: its plan sees only those documents; prune needs a caller who reads all (null).</param>
    public async Task<SyncSubmitted> SubmitAsync(CollectionInfo collection, bool prune, AccessScope? access, HttpContext http, CancellationToken ct)
    {
        RefuseWhenStopping();
        RefusePruneWhenRestricted(prune, access);
        var key = IdempotencyKey(http.Request);
        await using var body = await SpoolAsync(http, ct);
        var hash = RequestHash(body, prune);

        // The archive is unpacked into a folder of this request's own, deleted once the job (with its files) is stored.
        var folder = Directory.CreateTempSubdirectory("ragsync-").FullName;
        JobRecord job;
        try
        {
            (job, var created, var inline) = await PlanAndStoreAsync(collection, prune, access, key, hash, body, folder, ct);
            if (!created)
            {
                return job.RequestHash == hash
                    ? new SyncSubmitted(job, job.IsFinished)
                    : throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
                        $"Idempotency-Key '{InputEcho.Of(key)}' was already used for a different request (job {job.Id}); use a new key for a new request");
            }

            // A small job runs here when its collection is free; otherwise (another job holds or precedes it) it waits for a worker.
            if (!inline || !await jobs.TryClaimAsync(job.Id, owner.Name, TimeSpan.FromSeconds(Sync.LeaseSeconds), ct))
            {
                wakeup.Signal();
                return new SyncSubmitted(job, false);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        try
        {
            await runner.RunAsync(job.Id, lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw Refusal(StatusCodes.Status503ServiceUnavailable, "Shutting down",
                $"the service is shutting down; job {job.Id} was saved and another replica (or this one, once it starts again) resumes it");
        }

        return new SyncSubmitted((await jobs.GetAsync(job.Id, ct))!, true);
    }

    /// <summary>Reads the archive into <paramref name="folder"/>, plans against the stored hashes and stores the job
    /// (the store checks the cluster's queue bounds).</summary>
    private async Task<(JobRecord Job, bool Created, bool Inline)> PlanAndStoreAsync(CollectionInfo collection, bool prune, AccessScope? access, string? key, string hash,
        FileStream body, string folder, CancellationToken ct)
    {
        var archive = SafeArchiveReader.Read(body, new ArchiveLimits(Sync.MaxEntries, Sync.MaxFileBytes, Sync.MaxTotalBytes, Sync.MaxEntryPathChars, Sync.MaxTarHeaderBytes), folder);
        var manifestEntry = archive.FirstOrDefault(f => f.Path == ManifestFiles.EntryName);
        var documents = archive.Where(f => f != manifestEntry).ToList();
        var manifest = manifestEntry is null ? [] : ManifestFiles.Validate((await ParseManifestAsync(manifestEntry, ct)).Files, Sync.MaxManifestFiles);
        var files = ManifestFiles.Merge(documents, manifest);

        var stored = await StoredSources.LoadWithAccessAsync(store, collection, ingestor.Signature(collection), access, ct);
        var plan = SyncPlanner.Plan(files, stored.Sources, prune, stored.Access);
        var items = plan.Select(ToItem).ToList();
        var inline = items.Count(i => i.Status == ItemStatus.Pending) <= Sync.MaxSynchronousItems;
        var admission = inline ? null : new JobAdmission(Sync.MaxQueuedJobs, Sync.MaxQueuedBytes);
        var accessMap = JobAccessMap.ToFile(files.Where(f => f.SetsAccess).ToDictionary(f => f.Path, f => f.Access, StringComparer.Ordinal));
        var jobFiles = PendingFiles(documents, items);
        if (accessMap is not null)
        {
            jobFiles.Add(accessMap);
        }

        var job = new NewJob("sync", collection.Name, prune, key, hash, items, Files: jobFiles, Admission: admission);
        try
        {
            var (record, created) = await jobs.CreateAsync(job, ct);
            return (record, created, inline);
        }
        catch (JobAdmissionException e)
        {
            var refusal = e.Limit == JobAdmissionLimit.Jobs
                ? $"{e.InUse} jobs are already queued or running across the cluster; the limit is {Sync.MaxQueuedJobs} (Rag:Sync:MaxQueuedJobs)"
                : $"queued jobs already hold {e.InUse} bytes of files and this one brings {e.Requested}; the limit is {Sync.MaxQueuedBytes} (Rag:Sync:MaxQueuedBytes)";
            throw Refusal(StatusCodes.Status429TooManyRequests, "Too many jobs", $"{refusal}; retry after {Sync.RetryAfterSeconds} s");
        }
    }

    /// <summary>The unpacked files a pending item needs (unchanged ones are not kept), each once, read when the store writes it.</summary>
    private static List<JobFile> PendingFiles(IReadOnlyList<ArchiveFile> documents, IReadOnlyList<NewJobItem> items)
    {
        var needed = items.Where(i => i.Status == ItemStatus.Pending && i.Sha256 is not null).Select(i => i.Sha256!).ToHashSet(StringComparer.Ordinal);
        return documents.DistinctBy(d => d.Sha256).Where(d => needed.Contains(d.Sha256))
            .Select(d => new JobFile(d.Sha256, d.Length, c => File.ReadAllBytesAsync(d.ContentFile, c)))
            .ToList();
    }

    public async Task<SyncPlanResponse> PreviewAsync(CollectionInfo collection, SyncManifest manifest, AccessScope? access, CancellationToken ct)
    {
        RefusePruneWhenRestricted(manifest.Prune ?? false, access);
        var files = ManifestFiles.Validate(manifest.Files, Sync.MaxManifestFiles);
        var stored = await StoredSources.LoadWithAccessAsync(store, collection, ingestor.Signature(collection), access, ct);
        var plan = SyncPlanner.Plan(files, stored.Sources, manifest.Prune ?? false, stored.Access);
        List<string> Paths(Func<PlannedItem, bool> which) => plan.Where(which).Select(p => p.Path).ToList();
        var accessChanged = Paths(p => p.AccessChanged);
        return new SyncPlanResponse(
            Paths(p => p.NeedsContent),
            Paths(p => p.Action == SyncAction.Add),
            Paths(p => p.Action == SyncAction.Update),
            plan.Count(p => p.Action == SyncAction.Unchanged),
            Paths(p => p.Action == SyncAction.Delete),
            accessChanged.Count > 0 ? accessChanged : null);
    }

    /// <summary>Prune deletes every document the folder lacks, which only a caller who may read them all can know.</summary>
    private static void RefusePruneWhenRestricted(bool prune, AccessScope? access)
    {
        if (prune && access is not null)
        {
            throw new ApiProblemException(StatusCodes.Status403Forbidden, "Forbidden",
                "prune deletes every document the folder lacks; it needs a key that reads every document (an admin key), not one limited by principals");
        }
    }

    public void RefuseWhenStopping()
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw Refusal(StatusCodes.Status503ServiceUnavailable, "Shutting down", "the service is shutting down and takes no new jobs; retry shortly");
        }
    }

    private static NewJobItem ToItem(PlannedItem p) => p switch
    {
        { NeedsContent: true } => new NewJobItem(p.Path, p.Action, ItemStatus.Failed, p.Sha256, null,
            "only the hash was sent and it differs from the stored version (or the document is new); send the file's content"),
        // An access change alone stays pending until the runner sets the list; its content is not needed.
        { Action: SyncAction.Unchanged } => new NewJobItem(p.Path, p.Action, p.AccessChanged ? ItemStatus.Pending : ItemStatus.Done, p.Sha256, null, null),
        { Action: SyncAction.Delete } => new NewJobItem(p.Path, p.Action, ItemStatus.Pending, null, null, null),
        // The content is stored once per SHA-256 with the job (NewJob.Files); the item only names it.
        _ => new NewJobItem(p.Path, p.Action, ItemStatus.Pending, p.Sha256, null, null),
    };

    private static async Task<SyncManifest> ParseManifestAsync(ArchiveFile entry, CancellationToken ct)
    {
        try
        {
            await using var content = File.OpenRead(entry.ContentFile);
            return await JsonSerializer.DeserializeAsync<SyncManifest>(content, JsonSerializerOptions.Web, ct)
                ?? throw ApiProblemException.BadRequest($"{ManifestFiles.EntryName} is empty");
        }
        catch (JsonException e)
        {
            throw ApiProblemException.BadRequest($"{ManifestFiles.EntryName} is not valid JSON ({e.Message}); expected {{\"files\":[{{\"path\":...,\"sha256\":...}}]}}");
        }
    }

    private static string? IdempotencyKey(HttpRequest request)
    {
        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0)
        {
            return null;
        }

        return key.Length <= MaxIdempotencyKeyLength && !key.Any(char.IsControl)
            ? key
            : throw ApiProblemException.BadRequest($"the Idempotency-Key header must be 1-{MaxIdempotencyKeyLength} printable characters");
    }

    /// <summary>Copies the body to a temporary file (deleted on close), enforcing the sync size limit.</summary>
    private async Task<FileStream> SpoolAsync(HttpContext http, CancellationToken ct)
    {
        var limit = Sync.MaxArchiveBytes;
        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        if (http.Request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        var file = new FileStream(Path.Combine(Path.GetTempPath(), "ragsync-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, ct)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
                if (file.Length > limit)
                {
                    throw TooLarge(limit);
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await file.DisposeAsync();
            throw TooLarge(limit);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }

        if (file.Length == 0)
        {
            await file.DisposeAsync();
            throw ApiProblemException.BadRequest("the body is empty; send the folder as a zip or tar.gz archive (Content-Type: application/zip or application/gzip)");
        }

        file.Position = 0;
        return file;
    }

    private static string RequestHash(FileStream body, bool prune)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(SHA256.HashData(body));
        sha.AppendData(prune ? "prune"u8 : "keep"u8);
        body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static ApiProblemException TooLarge(long limit) => new(StatusCodes.Status413PayloadTooLarge, "Archive too large",
        $"the archive exceeds {limit} bytes (Rag:Sync:MaxArchiveBytes); send the folder in parts, or a manifest with only the changed files");

    private RetryLaterException Refusal(int status, string title, string detail) => new(status, title, detail, Sync.RetryAfterSeconds);
}
