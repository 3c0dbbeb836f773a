using System.Security.Cryptography;
using System.Text;
using Npgsql;
using RagService.Core.Jobs;
using RagService.Core.Storage;
using RagService.Storage.Postgres;
using RagService.Tests.Shared;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Postgres;

/// <summary>
/// A job a previous process left queued in PostgreSQL, and a service that starts while the database cannot be reached:
/// once the database is back (the real server's socket linked into the folder the service looks in), the job runs,
/// without a restart.
/// </summary>
public sealed class PostgresJobResumeTests
{
    [SkippableFact]
    public async Task A_job_left_unfinished_resumes_when_the_database_comes_back()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        using var database = new PostgresTestDatabase();
        var real = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        Skip.IfNot(Directory.Exists(real.Host), "needs RAG_POSTGRES on a Unix socket (as tests/postgres/start.sh starts it) to make the server appear");
        using (var previous = new PostgresDatabase(new PostgresStoreOptions { ConnectionString = database.ConnectionString }))
        {
            await new PostgresKnowledgeStore(previous).CreateCollectionAsync("kb", new CollectionSettings(), default);
            var content = Encoding.UTF8.GetBytes("The night shift restocks the orange soda.");
            await new PostgresJobStore(previous).CreateAsync(new NewJob("sync", "kb", Prune: false, null, "request",
                [new NewJobItem("soda.md", SyncAction.Add, ItemStatus.Pending, Convert.ToHexStringLower(SHA256.HashData(content)), content, null)], "job_left_queued"), default);
        }

        var folder = Directory.CreateTempSubdirectory("ragsvc-pgsock-").FullName;
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = folder }.ToString();
        try
        {
            await using var host = await ServiceHost.StartAsync("--Rag:Store=postgres", $"--Rag:Postgres:ConnectionString={unreachable}", "--Rag:Postgres:RetryCount=0",
                "--Rag:Sync:ResumeRetryInterval=00:00:00.2");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/health/ready")).StatusCode);

            File.CreateSymbolicLink(Path.Combine(folder, $".s.PGSQL.{real.Port}"), Path.Combine(real.Host!, $".s.PGSQL.{real.Port}"));

            var job = await WaitAsync(host.Client, "job_left_queued");
            Assert.Equal("succeeded", job.GetProperty("state").GetString());
            Assert.Equal(1, Count(job, "added"));
            Assert.Contains("orange soda", ServiceHost.HitTexts(await host.SearchAsync("kb", "orange soda", mode: "bm25"))[0], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
