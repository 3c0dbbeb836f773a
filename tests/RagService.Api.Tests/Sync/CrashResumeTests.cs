using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Sync;

/// <summary>SIGKILL the service in the middle of a sync job, restart it on the same database: the job completes, and no document is ever half written.</summary>
public sealed class CrashResumeTests : IDisposable
{
    private const int Documents = 150;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ragsvc-crash-" + Guid.NewGuid().ToString("N")[..12]);

    private string DatabasePath => Path.Combine(_directory, "rag.db");

    [Fact]
    public async Task Killed_mid_job_then_restarted_the_job_completes_and_every_document_is_fully_old_or_fully_new()
    {
        Directory.CreateDirectory(_directory);
        string jobId;
        await using (var first = await StartWithCollectionAsync())
        {
            var initial = await PostSyncAsync(first.Client, SyntheticFolder.Create(Documents, "oldrev"));
            Assert.Equal("succeeded", (await WaitAsync(first.Client, initial)).GetProperty("state").GetString());

            jobId = await PostSyncAsync(first.Client, SyntheticFolder.Create(Documents, "newrev"));
            await WaitForProgressAsync(first.Client, jobId, done: 5);
            first.Kill();
        }

        var afterKill = ReadDatabase(jobId);
        Assert.Equal("running", afterKill.JobState);
        Assert.Equal(Documents, afterKill.Documents.Count);
        Assert.All(afterKill.Documents, d => Assert.True(d.Consistent, $"{d.Key} is half written: {d}"));
        Assert.Contains(afterKill.Documents, d => d.Revision == "newrev");
        Assert.Contains(afterKill.Documents, d => d.Revision == "oldrev");

        await using (var second = await ServiceProcess.StartAsync(DatabasePath))
        {
            var job = await WaitAsync(second.Client, jobId);
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            Assert.Equal(Documents, Count(job, "updated"));
            Assert.Equal(0, Count(job, "failed"));
            var hits = ServiceHost.HitTexts(await SearchAsync(second.Client, "newrev thermostat"));
            Assert.NotEmpty(hits);
        }

        var resumed = ReadDatabase(jobId);
        Assert.Equal(Documents, resumed.Documents.Count);
        Assert.All(resumed.Documents, d => Assert.True(d.Consistent && d.Revision == "newrev", $"{d.Key}: {d}"));
        Assert.Equal(resumed.Documents.Sum(d => d.ChunkCount), resumed.TermRows);
    }

    [Fact]
    public async Task Sigterm_mid_job_checkpoints_it_and_the_next_start_finishes_it()
    {
        Directory.CreateDirectory(_directory);
        string jobId;
        await using (var first = await StartWithCollectionAsync())
        {
            jobId = await PostSyncAsync(first.Client, SyntheticFolder.Create(Documents, "oldrev"));
            await WaitForProgressAsync(first.Client, jobId, done: 5);
            Assert.Equal(0, first.Terminate());
        }

        var stopped = ReadDatabase(jobId);
        Assert.Equal("queued", stopped.JobState);
        Assert.InRange(stopped.Documents.Count, 5, Documents - 1);
        Assert.All(stopped.Documents, d => Assert.True(d.Consistent, $"{d.Key} is half written: {d}"));

        await using (var second = await ServiceProcess.StartAsync(DatabasePath))
        {
            var job = await WaitAsync(second.Client, jobId);
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            Assert.Equal(Documents, Count(job, "added"));
        }

        Assert.Equal(Documents, ReadDatabase(jobId).Documents.Count);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<ServiceProcess> StartWithCollectionAsync()
    {
        var service = await ServiceProcess.StartAsync(DatabasePath);
        try
        {
            Assert.Equal(HttpStatusCode.Created, (await service.Client.PostAsJsonAsync("/v1/collections", new { name = "kb" })).StatusCode);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the job has finished some documents and is still running (the deadline only stops a hung test).</summary>
    private static async Task WaitForProgressAsync(HttpClient client, string jobId, int done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var job = await GetJobAsync(client, jobId, lists: false);
            Assert.Equal(JsonValueKind.Null, job.GetProperty("finishedAt").ValueKind);
            if (job.GetProperty("progress").GetProperty("done").GetInt32() >= done)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {jobId} made no progress: {job}");
            await Task.Delay(5);
        }
    }

    private static async Task<string> PostSyncAsync(HttpClient client, Dictionary<string, string> folder)
    {
        var response = await client.PostAsync("/v1/collections/kb/sync?prune=true", TestArchives.Body(TestArchives.Zip(folder)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> SearchAsync(HttpClient client, string query)
    {
        var response = await client.PostAsJsonAsync("/v1/collections/kb/search", new { query, topK = 3 });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private sealed record StoredDocument(string Key, int ChunkCount, int ChunkRows, int TermRows, int OldChunks, int NewChunks)
    {
        /// <summary>Its recorded chunk count matches its chunks, each chunk is indexed, and all chunks are of one revision.</summary>
        public bool Consistent => ChunkRows == ChunkCount && TermRows == ChunkRows && ChunkRows > 0 && (OldChunks == ChunkRows || NewChunks == ChunkRows);

        public string Revision => NewChunks == ChunkRows ? "newrev" : OldChunks == ChunkRows ? "oldrev" : "mixed";
    }

    private sealed record DatabaseState(string JobState, IReadOnlyList<StoredDocument> Documents, int TermRows);

    /// <summary>Reads the database file directly, as the killed process left it.</summary>
    private DatabaseState ReadDatabase(string jobId)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT state FROM jobs WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", jobId);
        var state = (string)cmd.ExecuteScalar()!;

        cmd.CommandText = """
            SELECT d.doc_key, d.chunk_count,
                   (SELECT count(*) FROM chunks c WHERE c.document_id = d.id),
                   (SELECT count(*) FROM chunk_terms t WHERE t.chunk_id IN (SELECT id FROM chunks c WHERE c.document_id = d.id)),
                   (SELECT count(*) FROM chunks c WHERE c.document_id = d.id AND c.text LIKE '%oldrev%'),
                   (SELECT count(*) FROM chunks c WHERE c.document_id = d.id AND c.text LIKE '%newrev%')
            FROM documents d ORDER BY d.doc_key
            """;
        var documents = new List<StoredDocument>();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                documents.Add(new StoredDocument(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5)));
            }
        }

        cmd.CommandText = "SELECT count(*) FROM chunk_terms";
        var termRows = Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        return new DatabaseState(state, documents, termRows);
    }
}
