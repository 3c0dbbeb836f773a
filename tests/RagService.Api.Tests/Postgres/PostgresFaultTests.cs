using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Tests.Shared;
using static RagService.Api.Tests.Hardening.ProblemAssertions;

namespace RagService.Api.Tests.Postgres;

/// <summary>
/// PostgreSQL going away: at start the service comes up unready with the reason and recovers when the server appears,
/// without a restart; a connection lost in the middle of a write answers 503 naming the store and writes nothing.
/// </summary>
public sealed class PostgresFaultTests
{
    [SkippableFact]
    public async Task Unreachable_at_start_the_service_starts_unready_and_recovers_without_a_restart()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        using var database = new PostgresTestDatabase();
        var real = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        Skip.IfNot(Directory.Exists(real.Host), "needs RAG_POSTGRES on a Unix socket (as tests/postgres/start.sh starts it) to make the server appear");
        // A socket folder with no server in it yet; linking the real socket in is the server "coming back".
        var folder = Directory.CreateTempSubdirectory("ragsvc-pgsock-").FullName;
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = folder }.ToString();
        try
        {
            await using var host = await ServiceHost.StartAsync("--Rag:Store=postgres", $"--Rag:Postgres:ConnectionString={unreachable}", "--Rag:Postgres:RetryCount=0");

            var store = await StoreComponentAsync(host);
            Assert.Equal("failed", store.GetProperty("state").GetString());
            Assert.Contains("PostgreSQL", store.GetProperty("detail").GetString(), StringComparison.Ordinal);
            await AssertProblemAsync(await host.Client.PostAsJsonAsync("/v1/collections", new { name = "kb" }), HttpStatusCode.ServiceUnavailable, "PostgreSQL");

            File.CreateSymbolicLink(Path.Combine(folder, $".s.PGSQL.{real.Port}"), Path.Combine(real.Host!, $".s.PGSQL.{real.Port}"));

            Assert.Equal("on", (await StoreComponentAsync(host)).GetProperty("state").GetString());
            await host.CreateCollectionAsync("kb");
            await host.IngestAsync("kb", new { id = "back", text = "Written once the database came back." });
            var search = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "database came back", mode = "bm25" });
            Assert.Contains("came back", ServiceHost.HitTexts(await search.Content.ReadFromJsonAsync<JsonElement>())[0], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public async Task A_connection_lost_mid_write_answers_503_naming_the_store_writes_nothing_and_the_next_write_succeeds()
    {
        StoreChoice.UsePostgres();
        var cut = new ConnectionCutter();
        await using var host = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ISearchIndex>(cut));
        cut.Database = StoreChoice.DatabaseName(host.DatabasePath);
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "kept", text = "A document written before the fault." });

        cut.Armed = true;
        var lost = await host.Client.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "lost", text = "A document whose connection is cut before it commits." });
        await AssertProblemAsync(lost, HttpStatusCode.ServiceUnavailable, "PostgreSQL");
        Assert.Equal(1, cut.Cuts);

        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/collections/kb/documents/lost")).StatusCode);
        await host.IngestAsync("kb", new { id = "after", text = "A document written after the fault." });
        var documents = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents");
        Assert.Equal(["after", "kept"], documents.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
    }

    private static async Task<JsonElement> StoreComponentAsync(ServiceHost host)
    {
        var ready = await host.Client.GetAsync("/health/ready");
        var components = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("components").EnumerateArray();
        return components.Single(c => c.GetProperty("name").GetString() == "store");
    }

    /// <summary>When armed, ends every session of the host's database at the write's prepare step (its rows written, uncommitted).</summary>
    private sealed class ConnectionCutter : ISearchIndex
    {
        public bool Armed { get; set; }

        public string Database { get; set; } = "";

        public int Cuts { get; private set; }

        public string Engine => "cutter";

        public async Task PrepareAsync(IndexChange change, CancellationToken ct)
        {
            if (!Armed)
            {
                return;
            }

            Armed = false;
            Cuts++;
            var admin = new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable(PostgresTestDatabase.Variable)) { Pooling = false };
            await using var connection = new NpgsqlConnection(admin.ToString());
            await connection.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", connection)
            {
                Parameters = { new NpgsqlParameter { Value = Database } },
            };
            await cmd.ExecuteNonQueryAsync(ct);
        }

        public void Apply(IndexChange change)
        {
        }

        public void Drop(long collectionId)
        {
        }

        public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct) => Task.FromResult(new IndexStats(Engine, 0, 0, ""));

        public Task<ComponentStatus> CheckAsync(CancellationToken ct) => Task.FromResult(ComponentStatus.On("cutter", ""));
    }
}
