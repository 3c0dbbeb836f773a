using System.Net;
using System.Net.Sockets;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Storage.Sqlite;

namespace RagService.Cli.Tests;

/// <summary>`rag migrate-vectors` as a user runs it, against a real database; the copy itself runs in CI against real Qdrant (README "Scaling out").</summary>
public sealed class MigrateVectorsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ragsvc-migrate-" + Guid.NewGuid().ToString("N")[..10]);

    private static string Rag => Path.Combine(AppContext.BaseDirectory, "rag.dll");

    private async Task<string> DatabaseWithVectorsAsync()
    {
        Directory.CreateDirectory(_dir);
        var db = Path.Combine(_dir, "kb.db");
        var store = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = db });
        var kb = await store.CreateCollectionAsync("kb", new CollectionSettings(), default);
        await store.UpsertDocumentAsync(kb, new DocumentWrite("a", null, "h", "text", new Dictionary<string, string>(),
            [new IndexedChunk(new Chunk(0, "alpha", [], null), ["alpha"], [], [1f, 0f])]), default);
        return db;
    }

    private static string ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }

    [Fact]
    public async Task Without_db_it_reads_the_services_default_database_in_the_folder_it_runs_in()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "rag-migrate-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            var (exit, _, stderr) = await CliProcess.RunAsync(Rag, ["migrate-vectors", "--collection", "kb", "--to", "qdrant"],
                new Dictionary<string, string> { ["RAG_DB"] = "" }, folder);

            Assert.Equal(2, exit);
            Assert.Contains($"no database at {Path.Combine(folder, "data", "ragservice.db")}", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task An_unreachable_qdrant_fails_with_exit_1_naming_qdrant_and_how_to_resume()
    {
        var db = await DatabaseWithVectorsAsync();
        var (exit, _, stderr) = await CliProcess.RunAsync(Rag, ["migrate-vectors", "--collection", "kb", "--to", "qdrant", "--db", db, "--qdrant-url", ClosedPort()]);
        Assert.Equal(1, exit);
        Assert.Contains("Qdrant", stderr, StringComparison.Ordinal);
        Assert.Contains("resume", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs where RAG_QDRANT_URL names a Qdrant server (CI's service container); skipped with the reason otherwise.</summary>
    [SkippableFact]
    public async Task The_copy_counts_and_a_second_run_resumes_without_copying_again()
    {
        var url = Environment.GetEnvironmentVariable("RAG_QDRANT_URL");
        Skip.If(string.IsNullOrEmpty(url), "no Qdrant server: RAG_QDRANT_URL is not set (CI runs this against a Qdrant service container)");
        var db = await DatabaseWithVectorsAsync();
        var prefix = "m" + Guid.NewGuid().ToString("N")[..8] + "_";
        string[] args = ["migrate-vectors", "--collection", "kb", "--to", "qdrant", "--db", db, "--qdrant-url", url!, "--prefix", prefix];

        var (first, firstOut, firstErr) = await CliProcess.RunAsync(Rag, args);
        Assert.True(first == 0, firstErr);
        Assert.Contains("1 vectors of dimension 2 in SQLite; 1 copied now, 0 were already in Qdrant", firstOut, StringComparison.Ordinal);
        Assert.Contains($"alias {prefix}kb holds 1", firstOut, StringComparison.Ordinal);

        var (second, secondOut, secondErr) = await CliProcess.RunAsync(Rag, args);
        Assert.True(second == 0, secondErr);
        Assert.Contains("0 copied now, 1 were already in Qdrant", secondOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--to", "elastic", "--to qdrant")]
    [InlineData("--collection", "nope", "no collection 'nope'")]
    [InlineData("--qdrant-url", "localhost:6334", "Rag:Qdrant:Url")]
    [InlineData("--batch", "0", "--batch")]
    public async Task Bad_arguments_exit_2_saying_what_to_fix(string option, string value, string message)
    {
        var db = await DatabaseWithVectorsAsync();
        var args = new Dictionary<string, string> { ["--collection"] = "kb", ["--to"] = "qdrant", ["--db"] = db, ["--qdrant-url"] = "http://127.0.0.1:1" };
        args[option] = value;
        var (exit, _, stderr) = await CliProcess.RunAsync(Rag, ["migrate-vectors", .. args.SelectMany(a => new[] { a.Key, a.Value })]);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
