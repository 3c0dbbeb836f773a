using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Models;
using RagService.Api.Tests.Sync;
using static RagService.Api.Tests.Hardening.ProblemAssertions;

namespace RagService.Api.Tests.Hardening;

/// <summary>
/// Defect 4 (and leased jobs): a queued sync's files are stored with the job in the store, once per SHA-256 (so any replica
/// can run it), not on the item rows nor in a local folder; the queue is bounded by the bytes they hold as well as by
/// its number of jobs, and a finished job's files are dropped.
/// </summary>
public sealed class QueuedJobFilesTests : IAsyncLifetime
{
    private const int QueuedBytesLimit = 300_000;
    private readonly GatedEmbedder _embedder = new();
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ITextEmbedder>(_embedder),
            "--Rag:Sync:MaxSynchronousItems=0", $"--Rag:Sync:MaxQueuedBytes={QueuedBytesLimit}");
        await _host.CreateCollectionAsync("kb");
    }

    public async Task DisposeAsync()
    {
        _embedder.Open();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Queued_job_keeps_its_files_in_the_store_once_each_and_queued_bytes_are_bounded()
    {
        var first = Folder(60, "one");
        var firstBytes = first.Values.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        Assert.InRange(firstBytes, QueuedBytesLimit / 2, QueuedBytesLimit);

        _embedder.Arm();
        var accepted = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(first)));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var jobId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await _embedder.Entered; // the worker holds the job mid-ingest

        Assert.Equal(0L, Scalar("SELECT coalesce(sum(length(content)), 0) FROM job_items"));
        Assert.Equal(firstBytes, Scalar($"SELECT sum(length(content)) FROM job_files WHERE job_id = '{jobId}'"));
        Assert.Equal(60L, Scalar($"SELECT count(*) FROM job_files WHERE job_id = '{jobId}'"));
        Assert.False(Directory.Exists(_host.DatabasePath + ".spool"), "no local spool folder: the files are the store's");

        var second = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(Folder(60, "two"))));
        await AssertProblemAsync(second, HttpStatusCode.TooManyRequests, "MaxQueuedBytes");
        Assert.True(second.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must carry Retry-After");

        _embedder.Open();
        var done = await JobPolling.WaitAsync(_host.Client, jobId);
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(60, JobPolling.Count(done, "added"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM job_files"));

        var again = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(Folder(60, "two"))));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var finished = await JobPolling.WaitAsync(_host.Client, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        Assert.Equal(60, JobPolling.Count(finished, "updated"));
    }

    private static Dictionary<string, string> Folder(int documents, string revision) =>
        Enumerable.Range(0, documents).ToDictionary(i => $"notes/{i:D3}.md", i => $"# Note {i} {revision}\n\n" + new string('x', 3_000) + $" {revision} oven {i}");

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_host.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar());
    }
}
