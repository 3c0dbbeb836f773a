using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Sync;

/// <summary>`rag sync` as CI runs it: a real process against the real service; the exit code says whether every document synced.</summary>
public sealed class CliSyncTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ragsvc-cli-" + Guid.NewGuid().ToString("N")[..12]);
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        Directory.CreateDirectory(Path.Combine(_folder, "guides"));
        Directory.CreateDirectory(Path.Combine(_folder, ".git"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "menu.md"), "# Menu\n\nMargherita 42 yuan.");
        await File.WriteAllTextAsync(Path.Combine(_folder, "guides", "oven.txt"), "Error QX-77 means the fan is blocked.");
        await File.WriteAllTextAsync(Path.Combine(_folder, ".git", "config.md"), "hidden: never sent");
        await File.WriteAllBytesAsync(Path.Combine(_folder, "scan.pdf"), [0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x37, 0x0A, 0x00, 0xFF]);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_failed_document_exits_non_zero_and_a_clean_folder_exits_zero()
    {
        var failing = await RunAsync("--create", "--prune");
        Assert.True(failing.ExitCode == 1, failing.ToString());
        Assert.Contains("FAILED scan.pdf", failing.Stdout, StringComparison.Ordinal);
        Assert.Contains("sync: ", failing.Stderr, StringComparison.Ordinal);

        File.Delete(Path.Combine(_folder, "scan.pdf"));
        var clean = await RunAsync("--prune");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains("succeeded", clean.Stdout, StringComparison.Ordinal);

        var docs = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/handbook/documents");
        Assert.Equal(["guides/oven.txt", "menu.md"], docs.EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task A_missing_collection_suggests_create()
    {
        var result = await RunAsync();
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("collection 'handbook' does not exist", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("--create", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_progress_total_is_the_files_sent_plus_the_documents_deleted()
    {
        File.Delete(Path.Combine(_folder, "scan.pdf"));
        Assert.True((await RunAsync("--create")).ExitCode == 0);

        // Now: menu.md changed, guides/oven.txt removed, notes.md added → 2 files to send and 1 document to delete.
        await File.WriteAllTextAsync(Path.Combine(_folder, "menu.md"), "# Menu\n\nMargherita 45 yuan.");
        File.Delete(Path.Combine(_folder, "guides", "oven.txt"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "notes.md"), "# Notes\n\nClosed on Monday.");
        var result = await RunAsync("--prune");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("sending 2 new or changed files; 0 unchanged; 1 documents to delete (--prune); progress total 3", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("done 3/3", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_prints_every_path_of_the_plan_and_writes_nothing()
    {
        File.Delete(Path.Combine(_folder, "scan.pdf"));
        var intoNew = await RunAsync("--create", "--prune", "--dry-run");
        Assert.True(intoNew.ExitCode == 0, intoNew.ToString());
        Assert.Contains("plan for collection 'handbook' (created first): 2 to add, 0 to update, 0 unchanged, 0 to delete", intoNew.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("/v1/collections/handbook")).StatusCode);

        Assert.True((await RunAsync("--create")).ExitCode == 0);
        var before = await DocumentsAsync();
        await File.WriteAllTextAsync(Path.Combine(_folder, "menu.md"), "# Menu\n\nMargherita 45 yuan.");
        File.Delete(Path.Combine(_folder, "guides", "oven.txt"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "notes.md"), "# Notes\n\nClosed on Monday.");

        var result = await RunAsync("--prune", "--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 to add, 1 to update, 0 unchanged, 1 to delete", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  + notes.md\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  ~ menu.md\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  - guides/oven.txt\n", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, await DocumentsAsync());
    }

    [Theory]
    [InlineData(new string[0], 3)]                                 // 3 of 4 documents: more than the default share, half
    [InlineData(new[] { "--max-delete-share", "1", "--max-deletes", "2" }, 3)] // 3 documents: more than --max-deletes 2
    [InlineData(new[] { "--max-delete-share", "1" }, 0)]         // within both limits
    [InlineData(new[] { "--yes" }, 0)]
    public async Task A_prune_over_the_delete_limits_shows_the_plan_and_needs_yes(string[] options, int exitCode)
    {
        File.Delete(Path.Combine(_folder, "scan.pdf"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "a.md"), "Alpha.");
        await File.WriteAllTextAsync(Path.Combine(_folder, "b.md"), "Beta.");
        Assert.True((await RunAsync("--create")).ExitCode == 0);
        var before = await DocumentsAsync();
        Assert.Equal(4, before.Count);
        foreach (var name in new[] { "a.md", "b.md", "guides/oven.txt" })
        {
            File.Delete(Path.Combine(_folder, name));
        }

        var result = await RunAsync(["--prune", .. options]);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        if (exitCode == 3)
        {
            Assert.Contains("  - a.md\n", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("--yes", result.Stderr, StringComparison.Ordinal);
            Assert.Equal(before, await DocumentsAsync());
        }
        else
        {
            Assert.Equal(["menu.md"], (await DocumentsAsync()).Select(d => d.Split(' ')[0]));
        }
    }

    /// <summary>Each document as "id sha256", in id order.</summary>
    private async Task<List<string>> DocumentsAsync()
    {
        var docs = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/handbook/documents");
        return docs.EnumerateArray().Select(d => $"{d.GetProperty("id").GetString()} {d.GetProperty("sourceSha256").GetString()}").Order(StringComparer.Ordinal).ToList();
    }

    private sealed record CliResult(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    private async Task<CliResult> RunAsync(params string[] options)
    {
        var (exitCode, stdout, stderr) = await RagService.Cli.Tests.CliProcess.RunAsync(CliPath(),
            new[] { "sync", _folder, "--collection", "handbook", "--url", _host.Client.BaseAddress!.ToString() }.Concat(options),
            new Dictionary<string, string> { ["RAG_API_KEY"] = ServiceHost.BootstrapKey });
        return new CliResult(exitCode, stdout, stderr);
    }

    /// <summary>rag.dll of the same configuration, built through the project reference.</summary>
    internal static string CliPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var path = Path.Combine(dir.FullName, "src", "RagService.Cli", "bin", configuration, "net10.0", "rag.dll");
        Assert.True(File.Exists(path), $"the CLI is not built at {path}");
        return path;
    }
}
