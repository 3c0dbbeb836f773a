using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Cli.Sync;

/// <summary>
/// rag sync: asks the service which files changed (manifest of path + SHA-256), zips only those with the manifest,
/// posts the archive to /sync and follows the job to the end. Exit 0 only when every document synced.
/// </summary>
internal static class SyncCommand
{
    private const string ManifestEntry = ".rag-sync-manifest.json";
    private const int MaxAttempts = 10;

    public static async Task<int> RunAsync(SyncArgs args)
    {
        using var http = new HttpClient { BaseAddress = args.Url, Timeout = TimeSpan.FromMinutes(10) };
        if (args.ApiKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", args.ApiKey);
        }

        try
        {
            var files = FolderSnapshot.Take(args.Folder, args.Extensions);
            Console.Error.WriteLine($"sync: {files.Count} files in {args.Folder}");
            var collection = $"v1/collections/{Uri.EscapeDataString(args.Collection)}";
            if (args.Create)
            {
                await EnsureCollectionAsync(http, args.Collection, collection);
            }
            else if ((await http.GetAsync(collection)).StatusCode == HttpStatusCode.NotFound)
            {
                Console.Error.WriteLine($"rag sync: collection '{args.Collection}' does not exist on {args.Url}; add --create to create it");
                return 1;
            }

            var manifest = new { files = files.Select(f => new { path = f.Path, sha256 = f.Sha256 }).ToList(), prune = args.Prune };
            var manifestJson = JsonSerializer.SerializeToUtf8Bytes(manifest);
            var (send, deletes) = args.Full ? (files, (int?)null) : await ChangedFilesAsync(http, collection, manifestJson, files);
            // The job's progress counts files to index plus documents to delete; say both, so the bar's total adds up.
            Console.Error.WriteLine(deletes is { } d
                ? $"sync: sending {send.Count} new or changed files; {files.Count - send.Count} unchanged; {d} documents to delete (--prune); progress total {send.Count + d}"
                : $"sync: sending all {send.Count} files (--full){(args.Prune ? "; documents not in the folder are deleted and counted in the progress total" : "")}");

            using var archive = new MemoryStream();
            using (var zip = new ZipArchive(archive, ZipArchiveMode.Create, leaveOpen: true))
            {
                await using (var entry = zip.CreateEntry(ManifestEntry, CompressionLevel.Fastest).Open())
                {
                    await entry.WriteAsync(manifestJson);
                }

                foreach (var file in send)
                {
                    await using var entry = zip.CreateEntry(file.Path, CompressionLevel.Optimal).Open();
                    await using var source = File.OpenRead(file.FullPath);
                    await source.CopyToAsync(entry);
                }
            }

            var job = await PostSyncAsync(http, $"{collection}/sync?prune={(args.Prune ? "true" : "false")}", archive.ToArray(), args.IdempotencyKey);
            job = await FollowAsync(http, job);
            return Report(job);
        }
        catch (ServiceException e)
        {
            Console.Error.WriteLine($"rag sync: {e.Message}");
            return 1;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"rag sync: cannot reach {args.Url}: {e.Message}");
            return 1;
        }
    }

    private static async Task EnsureCollectionAsync(HttpClient http, string name, string collection)
    {
        var existing = await http.GetAsync(collection);
        if (existing.StatusCode == HttpStatusCode.NotFound)
        {
            var created = await http.PostAsJsonAsync("v1/collections", new { name });
            await EnsureSuccessAsync(created);
            Console.Error.WriteLine($"sync: created collection '{name}'");
        }
        else
        {
            await EnsureSuccessAsync(existing);
        }
    }

    private static async Task<(IReadOnlyList<FolderFile> Send, int? Deletes)> ChangedFilesAsync(
        HttpClient http, string collection, byte[] manifestJson, IReadOnlyList<FolderFile> files)
    {
        using var body = new ByteArrayContent(manifestJson);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = await http.PostAsync($"{collection}/sync/plan", body);
        var plan = await EnsureSuccessAsync(response);
        var send = plan.GetProperty("send").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        return (files.Where(f => send.Contains(f.Path)).ToList(), plan.GetProperty("deleted").GetArrayLength());
    }

    private static async Task<JsonElement> PostSyncAsync(HttpClient http, string path, byte[] archive, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(archive) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            request.Headers.Add("Idempotency-Key", key);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request);
            }
            catch (HttpRequestException e) when (attempt < MaxAttempts)
            {
                // The key makes the retry safe: if the first request did arrive, its job is returned instead of a new one.
                Console.Error.WriteLine($"sync: {e.Message}; retrying");
                await Task.Delay(TimeSpan.FromSeconds(attempt));
                continue;
            }

            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && attempt < MaxAttempts)
            {
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(10);
                Console.Error.WriteLine($"sync: service busy ({(int)response.StatusCode}); retrying in {wait.TotalSeconds:0} s");
                await Task.Delay(wait);
                continue;
            }

            return await EnsureSuccessAsync(response);
        }
    }

    private static async Task<JsonElement> FollowAsync(HttpClient http, JsonElement job)
    {
        var id = job.GetProperty("id").GetString()!;
        var bar = new ProgressBar();
        while (job.GetProperty("finishedAt").ValueKind == JsonValueKind.Null)
        {
            var progress = job.GetProperty("progress");
            bar.Report(job.GetProperty("stage").GetString()!, progress.GetProperty("done").GetInt32(), progress.GetProperty("total").GetInt32());
            await Task.Delay(500);
            job = await EnsureSuccessAsync(await http.GetAsync($"v1/jobs/{id}?lists=false"));
        }

        var final = job.GetProperty("progress");
        bar.Report("done", final.GetProperty("done").GetInt32(), final.GetProperty("total").GetInt32());
        bar.Finish();
        return await EnsureSuccessAsync(await http.GetAsync($"v1/jobs/{id}"));
    }

    private static int Report(JsonElement job)
    {
        var counts = job.GetProperty("counts");
        Console.WriteLine($"job {job.GetProperty("id").GetString()}: {job.GetProperty("state").GetString()}");
        foreach (var name in new[] { "added", "updated", "unchanged", "deleted", "failed" })
        {
            Console.WriteLine($"  {name,-9} {counts.GetProperty(name).GetInt32()}");
        }

        foreach (var failure in job.GetProperty("failed").EnumerateArray())
        {
            Console.WriteLine($"  FAILED {failure.GetProperty("path").GetString()}: {failure.GetProperty("error").GetString()}");
        }

        if (job.GetProperty("error").GetString() is { } error)
        {
            Console.WriteLine($"  error: {error}");
        }

        return job.GetProperty("state").GetString() == "succeeded" ? 0 : 1;
    }

    private static async Task<JsonElement> EnsureSuccessAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode)
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        string detail;
        try
        {
            using var problem = JsonDocument.Parse(text);
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            detail = text;
        }

        throw new ServiceException($"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
    }

    private sealed class ServiceException(string message) : Exception(message);
}
