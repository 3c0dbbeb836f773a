using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Sync;

/// <summary>
/// SIGKILL the service in the middle of a sync job, restart it on the same database: the job completes, and no document is
/// ever half written. The collection asks the LLM (a local fake endpoint) for chunk contexts, and the fake holds the first
/// request about document <see cref="HeldAt"/>: the job is provably mid-document, with the documents before it written,
/// when the test stops the service.
/// </summary>
public sealed class CrashResumeTests : IDisposable
{
    private const int Documents = 20;
    private const int HeldAt = 5;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ragsvc-crash-" + Guid.NewGuid().ToString("N")[..12]);

    private string DatabasePath => Path.Combine(_directory, "rag.db");

    [Fact]
    public async Task Killed_mid_job_then_restarted_the_job_completes_and_every_document_is_fully_old_or_fully_new()
    {
        Directory.CreateDirectory(_directory);
        await using var llm = await FakeLlmServer.StartAsync();
        string jobId;
        await using (var first = await StartWithCollectionAsync(llm))
        {
            var initial = await PostSyncAsync(first.Client, SyntheticFolder.Create(Documents, "oldrev"));
            Assert.Equal("succeeded", (await WaitAsync(first.Client, initial)).GetProperty("state").GetString());

            llm.HoldWhenAsked = $"in manual {HeldAt} (newrev)";
            jobId = await PostSyncAsync(first.Client, SyntheticFolder.Create(Documents, "newrev"));
            await WaitUntilHeldAsync(first.Client, llm, jobId);
            first.Kill();
        }

        var afterKill = ReadDatabase(jobId);
        Assert.Equal("running", afterKill.JobState);
        Assert.Equal(Documents, afterKill.Documents.Count);
        Assert.All(afterKill.Documents, d => Assert.True(d.Consistent, $"{d.Key} is half written: {d}"));
        Assert.Equal(HeldAt, afterKill.Documents.Count(d => d.Revision == "newrev"));
        Assert.Equal(Documents - HeldAt, afterKill.Documents.Count(d => d.Revision == "oldrev"));

        llm.HoldWhenAsked = null;
        llm.ReleaseHeld();
        // The killed process's lease runs for an hour (LongLease): the restarted one takes the job over at once, since
        // on SQLite every other lease owner is a process that has ended. WaitAsync's bound is far below an hour.
        await using (var second = await ServiceProcess.StartAsync(DatabasePath, LlmSettings(llm)))
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
        await using var llm = await FakeLlmServer.StartAsync();
        string jobId;
        await using (var first = await StartWithCollectionAsync(llm))
        {
            llm.HoldWhenAsked = $"in manual {HeldAt} (oldrev)";
            jobId = await PostSyncAsync(first.Client, SyntheticFolder.Create(Documents, "oldrev"));
            await WaitUntilHeldAsync(first.Client, llm, jobId);
            Assert.Equal(0, first.Terminate());
        }

        var stopped = ReadDatabase(jobId);
        Assert.Equal("queued", stopped.JobState);
        Assert.Equal(HeldAt, stopped.Documents.Count);
        Assert.All(stopped.Documents, d => Assert.True(d.Consistent, $"{d.Key} is half written: {d}"));

        llm.HoldWhenAsked = null;
        llm.ReleaseHeld();
        await using (var second = await ServiceProcess.StartAsync(DatabasePath, LlmSettings(llm)))
        {
            var job = await WaitAsync(second.Client, jobId);
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            Assert.Equal(Documents, Count(job, "added"));
        }

        Assert.Equal(Documents, ReadDatabase(jobId).Documents.Count);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <remarks>An hour's lease (the longest allowed): the restarted process must not wait it out.</remarks>
    private static string[] LlmSettings(FakeLlmServer llm) =>
        [$"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0", "--Rag:Sync:LeaseSeconds=3600", "--Rag:Sync:HeartbeatSeconds=1"];

    private async Task<ServiceProcess> StartWithCollectionAsync(FakeLlmServer llm)
    {
        var service = await ServiceProcess.StartAsync(DatabasePath, LlmSettings(llm));
        try
        {
            Assert.Equal(HttpStatusCode.Created, (await service.Client.PostAsJsonAsync("/v1/collections", new { name = "kb", llmContext = true })).StatusCode);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the fake LLM holds the job inside document HeldAt (the bound only stops a hung test).</summary>
    private static async Task WaitUntilHeldAsync(HttpClient client, FakeLlmServer llm, string jobId)
    {
        await llm.Held.Task.WaitAsync(TimeSpan.FromMinutes(3));
        var job = await WaitForDoneAsync(client, jobId, HeldAt);
        Assert.Equal("running", job.GetProperty("state").GetString());
        Assert.Equal(HeldAt, job.GetProperty("progress").GetProperty("done").GetInt32());
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
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
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
