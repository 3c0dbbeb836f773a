using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Tests.Sync;
using RagService.Core.Locking;

namespace RagService.Api.Tests.Hardening;

/// <summary>
/// One data folder, one process: a second service (in this process or another) or `rag bench-bm25` on a database
/// that a service owns is refused at start, naming the folder, the lock file and the holder; once the owner stops,
/// or is killed, the next one starts. With the default Lucene engine throughout.
/// </summary>
public sealed class DataFolderLockTests
{
    [Fact]
    public async Task A_second_host_on_the_same_database_is_refused_and_one_starts_once_the_first_stopped()
    {
        await using var first = await ServiceHost.StartAsync();
        await first.CreateCollectionAsync("kb");
        await first.IngestAsync("kb", new { id = "oven", text = "The oven reaches 450 degrees in twenty minutes." });

        var refused = await Assert.ThrowsAsync<DataFolderInUseException>(() => ServiceHost.StartAsync($"--Rag:DatabasePath={first.DatabasePath}"));
        Assert.Equal($"data folder {first.Directory} is in use by process {Environment.ProcessId} (lock {first.DatabasePath}.lock); " +
            "stop it or point Rag:DatabasePath (RAG_DB) elsewhere", refused.Message);

        // The refused start disturbed nothing: the owner still answers from its Lucene index.
        Assert.Contains("450 degrees", ServiceHost.HitTexts(await first.SearchAsync("kb", "oven degrees"))[0], StringComparison.Ordinal);

        await first.StopAsync();
        await using var second = await ServiceHost.StartAsync($"--Rag:DatabasePath={first.DatabasePath}");
        var search = await second.SearchAsync("kb", "oven degrees");
        Assert.Contains("450 degrees", ServiceHost.HitTexts(search)[0], StringComparison.Ordinal);
        var bm25 = search.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "bm25");
        Assert.Contains("lucene", bm25.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_process_is_refused_with_exit_code_75_and_a_killed_owner_leaves_no_stale_lock()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ragsvc-lock-" + Guid.NewGuid().ToString("N")[..10]);
        var database = Path.Combine(directory, "rag.db");
        try
        {
            await using (var owner = await ServiceProcess.StartAsync(database))
            {
                var expected = $"data folder {directory} is in use by process {owner.ProcessId} (lock {database}.lock)";

                var service = await Cli.Tests.CliProcess.RunAsync(Path.Combine(AppContext.BaseDirectory, "RagService.Api.dll"),
                    ["--urls", "http://127.0.0.1:0", $"--Rag:DatabasePath={database}"]);
                Assert.True(service.ExitCode == 75, $"exit {service.ExitCode}\n{service.Stdout}\n{service.Stderr}");
                Assert.Contains(expected + "; stop it or point Rag:DatabasePath (RAG_DB) elsewhere", service.Stdout, StringComparison.Ordinal);

                var bench = await Cli.Tests.CliProcess.RunAsync(CliSyncTests.CliPath(), ["bench-bm25", "--engine", "lucene", "--db", database]);
                Assert.True(bench.ExitCode == 75, $"exit {bench.ExitCode}\n{bench.Stdout}\n{bench.Stderr}");
                Assert.Contains(expected + "; stop it or point --db elsewhere", bench.Stderr, StringComparison.Ordinal);

                var inProcess = await Assert.ThrowsAsync<DataFolderInUseException>(() => ServiceHost.StartAsync($"--Rag:DatabasePath={database}"));
                Assert.Equal(owner.ProcessId, inProcess.HolderProcessId);

                // SIGKILL: no shutdown code runs, the lock file stays behind; the OS dropped the lock with the process.
                owner.Kill();
            }

            Assert.True(File.Exists(database + ".lock"));
            await using var next = await ServiceHost.StartAsync($"--Rag:DatabasePath={database}");
            Assert.Equal(HttpStatusCode.OK, (await next.Client.GetAsync("/health/ready")).StatusCode);
            await next.CreateCollectionAsync("kb");
            await next.IngestAsync("kb", new { id = "a", text = "Written after the owner was killed." });
        }
        finally
        {
            SqliteStorePool.Release(database);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_lucene_folder_set_apart_is_owned_too()
    {
        var lucene = Path.Combine(Path.GetTempPath(), "ragsvc-shared-lucene-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            await using var first = await ServiceHost.StartAsync($"--Rag:Lucene:Directory={lucene}");
            var refused = await Assert.ThrowsAsync<DataFolderInUseException>(() => ServiceHost.StartAsync($"--Rag:Lucene:Directory={lucene}"));
            Assert.Equal($"data folder {Path.GetTempPath().TrimEnd('/')} is in use by process {Environment.ProcessId} (lock {lucene}.lock); " +
                "stop it or point Rag:Lucene:Directory elsewhere", refused.Message);
        }
        finally
        {
            if (Directory.Exists(lucene))
            {
                Directory.Delete(lucene, recursive: true);
            }

            File.Delete(lucene + ".lock");
        }
    }

    [Fact]
    public async Task A_lucene_index_locked_by_another_writer_answers_503_and_fails_readiness_until_it_is_released()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ragsvc-lucene-lock-" + Guid.NewGuid().ToString("N")[..10]);
        var database = $"--Rag:DatabasePath={Path.Combine(directory, "rag.db")}";
        try
        {
            await using (var first = await ServiceHost.StartAsync(database))
            {
                await first.CreateCollectionAsync("kb");
                await first.IngestAsync("kb", new { id = "oven", text = "The oven reaches 450 degrees in twenty minutes." });
            }

            // The gate: another writer holds the collection's Lucene write.lock before the service opens the index.
            using var index = global::Lucene.Net.Store.FSDirectory.Open(Path.Combine(directory, "rag.db.lucene", "collection-1"));
            var writeLock = index.MakeLock(global::Lucene.Net.Index.IndexWriter.WRITE_LOCK_NAME);
            Assert.True(writeLock.Obtain());
            await using var host = await ServiceHost.StartAsync(database);
            try
            {
                var refused = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "oven degrees" });
                var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode} {problem}");
                Assert.Contains("is locked by another process", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
                var ready = await host.Client.GetAsync("/health/ready");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                var bm25 = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("components").EnumerateArray()
                    .Single(c => c.GetProperty("name").GetString() == "bm25");
                Assert.Equal("failed", bm25.GetProperty("state").GetString());
            }
            finally
            {
                writeLock.Dispose();
            }

            // Released: the index opens as it was (loaded, not rebuilt over the other writer's files) and readiness recovers.
            Assert.Contains("450 degrees", ServiceHost.HitTexts(await host.SearchAsync("kb", "oven degrees"))[0], StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);
            var stats = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
            Assert.Contains("\"loaded\"", stats.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            SqliteStorePool.Release(Path.Combine(directory, "rag.db"));
            Directory.Delete(directory, recursive: true);
        }
    }
}
