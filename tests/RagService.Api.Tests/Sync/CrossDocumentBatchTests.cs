using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Indexing;
using RagService.Core.Models;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Sync;

/// <summary>
/// A sync job reads documents ahead and embeds several documents' passages in one call (Rag:Sync:EmbedBatchPassages),
/// then writes each document alone. What a user sees must not change: the same chunks, vectors and hits as ingesting
/// each document by itself, a bad document failing only its own item, and a job stopped mid-way keeping whole
/// documents only and finishing the rest when it resumes. The next group is embedded while one group is written.
/// </summary>
public sealed class CrossDocumentBatchTests
{
    private static readonly string[] Words =
        ("river mountain harbour engine library garden winter market bridge station museum forest island castle village " +
         "teacher doctor farmer sailor painter baker pilot student scientist merchant " +
         "builds repairs visits studies paints sells measures crosses describes explores " +
         "quickly carefully rarely often quietly early late together alone every").Split(' ');

    [Fact]
    public async Task Synced_small_documents_get_the_chunks_vectors_and_hits_of_ingesting_each_alone_and_bad_ones_fail_alone()
    {
        await using var host = await ServiceHost.StartAsync($"--Rag:Embedding:ModelDirectory={RealModelRetrievalTests.RealMiniLmDirectory()}",
            "--Rag:Embedding:IntraOpThreads=2", "--Rag:Sync:MaxSynchronousItems=0");
        await host.CreateCollectionAsync("batched");
        await host.CreateCollectionAsync("alone");
        var folder = EnglishNotes(24);
        folder["notes/note-0007.pdf"] = "%PDF-1.7\nthis is not a PDF body";
        folder["notes/note-0012-blank.md"] = "   \n\n  ";

        var job = await SyncAsJobAsync(host, "batched", folder);
        Assert.Equal("completed_with_errors", job.GetProperty("state").GetString());
        Assert.Equal(24, Count(job, "added"));
        var failed = job.GetProperty("failed").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("error").GetString()!);
        Assert.Equal(["notes/note-0007.pdf", "notes/note-0012-blank.md"], failed.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("No text was found", failed["notes/note-0012-blank.md"], StringComparison.Ordinal);

        foreach (var (path, text) in folder.Where(f => !failed.ContainsKey(f.Key)))
        {
            await UploadAsync(host, "alone", path, text);
        }

        var batched = StoredChunks(host.DatabasePath, "batched");
        var alone = StoredChunks(host.DatabasePath, "alone");
        Assert.Equal(alone.Keys.Order(StringComparer.Ordinal), batched.Keys.Order(StringComparer.Ordinal));
        Assert.True(alone.Values.Sum(c => c.Count) > alone.Count, "the notes must have several chunks, some of them");
        foreach (var (document, chunks) in alone)
        {
            Assert.Equal(chunks.Select(c => c.Text), batched[document].Select(c => c.Text));
            foreach (var (one, together) in chunks.Zip(batched[document]))
            {
                Assert.Equal(384, together.Vector.Length);
                Assert.All(one.Vector.Zip(together.Vector), p => Assert.InRange(p.Second - p.First, -1e-5f, 1e-5f));
            }
        }

        foreach (var query in new[] { "doctor repairs the bridge", "winter market in the village", "note 17 sailor" })
        {
            foreach (var mode in new[] { "dense", "bm25" })
            {
                Assert.Equal(Hits(await host.SearchAsync("alone", query, topK: 8, mode: mode)), Hits(await host.SearchAsync("batched", query, topK: 8, mode: mode)));
            }
        }
    }

    [Fact]
    public async Task A_document_the_model_cannot_embed_fails_only_its_item_in_a_shared_batch()
    {
        var embedder = new ScriptedEmbedder { PoisonWord = "unembeddable" };
        await using var host = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ITextEmbedder>(embedder), "--Rag:Sync:MaxSynchronousItems=0");
        await host.CreateCollectionAsync("kb");
        var folder = EnglishNotes(12);
        folder["notes/note-0005.md"] = "# Note 5\n\nThis note holds an unembeddable passage.";

        var job = await SyncAsJobAsync(host, "kb", folder);
        Assert.Equal("completed_with_errors", job.GetProperty("state").GetString());
        var failure = job.GetProperty("failed").EnumerateArray().Single();
        Assert.Equal("notes/note-0005.md", failure.GetProperty("path").GetString());
        Assert.Contains("cannot embed 'unembeddable'", failure.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(11, Count(job, "added"));
        var stored = StoredChunks(host.DatabasePath, "kb");
        Assert.Equal(11, stored.Count);
        Assert.All(stored.Values.SelectMany(c => c), c => Assert.Equal(embedder.Dimension, c.Vector.Length));
    }

    [Fact]
    public async Task A_job_stopped_while_embedding_a_later_batch_keeps_whole_documents_and_finishes_them_when_resumed()
    {
        const int Documents = 16;
        var embedder = new ScriptedEmbedder { HoldAtCall = 3 };
        var first = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ITextEmbedder>(embedder), "--Rag:Sync:MaxSynchronousItems=0",
            "--Rag:Sync:EmbedBatchPassages=4", "--Rag:Sync:PrepareAheadDocuments=2");
        await first.CreateCollectionAsync("kb");
        var folder = EnglishNotes(Documents);
        var accepted = await first.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(folder)));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await embedder.Held.Task.WaitAsync(TimeSpan.FromMinutes(3)); // the bound only stops a hung test
        await first.StopAsync();

        // The group before the held one may have been written while it was embedded: what counts is what was recorded.
        var stopped = StoredChunks(first.DatabasePath, "kb");
        Assert.InRange(stopped.Count, 1, Documents - 1);
        Assert.Equal(ItemsDone(first.DatabasePath, id), stopped.Count);
        AssertWhole(stopped, folder, embedder.Dimension);

        var resumedEmbedder = new ScriptedEmbedder();
        await using (var second = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ITextEmbedder>(resumedEmbedder), $"--Rag:DatabasePath={first.DatabasePath}"))
        {
            var finished = await WaitAsync(second.Client, id);
            Assert.Equal("succeeded", finished.GetProperty("state").GetString());
            Assert.Equal(Documents, Count(finished, "added"));
            Assert.Equal(0, Count(finished, "failed"));
            var stored = StoredChunks(first.DatabasePath, "kb");
            Assert.Equal(Documents, stored.Count);
            AssertWhole(stored, folder, embedder.Dimension);
        }

        await first.DisposeAsync();
    }

    [Fact]
    public async Task The_next_group_is_embedded_while_the_documents_of_one_group_are_written()
    {
        var embedder = new ScriptedEmbedder();
        var writes = new HeldWriteIndex();
        await using var host = await ServiceHost.StartAsync(b =>
        {
            b.Services.AddSingleton<ITextEmbedder>(embedder);
            b.Services.AddSingleton<ISearchIndex>(writes);
        }, "--Rag:Sync:MaxSynchronousItems=0", "--Rag:Sync:EmbedBatchPassages=4", "--Rag:Sync:PrepareAheadDocuments=2");
        await host.CreateCollectionAsync("kb");
        var folder = EnglishNotes(8);
        var accepted = await host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(TestArchives.Zip(folder)));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        // The bounds only stop a hung test: one after the other, the second group's embedding would never start here.
        await writes.Held.Task.WaitAsync(TimeSpan.FromMinutes(3));
        await embedder.PassageCallStarted(2).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await GetJobAsync(host.Client, id, lists: false)).GetProperty("progress").GetProperty("done").GetInt32());

        writes.Release();
        var job = await WaitAsync(host.Client, id);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(8, Count(job, "added"));
        var stored = StoredChunks(host.DatabasePath, "kb");
        Assert.Equal(folder.Keys.Order(StringComparer.Ordinal), stored.Keys.Order(StringComparer.Ordinal));
        AssertWhole(stored, folder, embedder.Dimension);
    }

    /// <summary>The items of job <paramref name="job"/> the SQLite file records as done.</summary>
    private static long ItemsDone(string database, string job)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM job_items WHERE job_id = $id AND status = 'done'";
        command.Parameters.AddWithValue("$id", job);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Every stored document is one of the folder's, with as many chunks as its row counts, each with a vector.</summary>
    private static void AssertWhole(Dictionary<string, List<StoredChunk>> stored, Dictionary<string, string> folder, int dimension)
    {
        foreach (var (document, chunks) in stored)
        {
            Assert.Contains(document, folder.Keys);
            Assert.Equal(chunks[0].DocumentChunkCount, chunks.Count);
            Assert.All(chunks, c => Assert.Equal(dimension, c.Vector.Length));
        }
    }

    /// <summary>English notes of one to four sections each, so their chunk counts differ.</summary>
    private static Dictionary<string, string> EnglishNotes(int count)
    {
        var random = new Random(29);
        var files = new Dictionary<string, string>();
        for (var i = 0; i < count; i++)
        {
            var text = new StringBuilder($"# Note {i}\n\n");
            for (var section = 0; section <= i % 4; section++)
            {
                text.Append($"## Part {section}\n\n");
                var sentences = 2 + random.Next(5);
                for (var s = 0; s < sentences; s++)
                {
                    text.Append(string.Join(' ', Enumerable.Range(0, 6 + random.Next(10)).Select(_ => Words[random.Next(Words.Length)]))).Append($" in note {i}. ");
                }

                text.Append("\n\n");
            }

            files[$"notes/note-{i:D4}.md"] = text.ToString();
        }

        return files;
    }

    private static async Task<JsonElement> SyncAsJobAsync(ServiceHost host, string collection, Dictionary<string, string> folder)
    {
        var accepted = await host.Client.PostAsync($"/v1/collections/{collection}/sync", TestArchives.Body(TestArchives.Zip(folder)));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        return await WaitAsync(host.Client, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
    }

    private static async Task UploadAsync(ServiceHost host, string collection, string path, string text)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/markdown");
        form.Add(file, "file", path);
        form.Add(new StringContent(path), "id");
        var response = await host.Client.PostAsync($"/v1/collections/{collection}/documents/upload", form);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static List<(string, string)> Hits(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray()
            .Select(h => (h.GetProperty("documentId").GetString()!, h.GetProperty("score").GetDouble().ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();

    private sealed record StoredChunk(string Text, float[] Vector, int DocumentChunkCount);

    /// <summary>The collection's chunks per document id, in order, read from the SQLite file with their vectors (empty when none).</summary>
    private static Dictionary<string, List<StoredChunk>> StoredChunks(string database, string collection)
    {
        using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT d.doc_key, c.text, v.vector, d.chunk_count FROM chunks c JOIN documents d ON d.id = c.document_id
            JOIN collections k ON k.id = d.collection_id LEFT JOIN chunk_vectors v ON v.chunk_id = c.id
            WHERE k.name = $name ORDER BY d.doc_key, c.ordinal
            """;
        command.Parameters.AddWithValue("$name", collection);
        var result = new Dictionary<string, List<StoredChunk>>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var vector = reader.IsDBNull(2) ? [] : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>((byte[])reader[2]).ToArray();
            var key = reader.GetString(0);
            if (!result.TryGetValue(key, out var chunks))
            {
                result[key] = chunks = [];
            }

            chunks.Add(new StoredChunk(reader.GetString(1), vector, reader.GetInt32(3)));
        }

        return result;
    }
}
