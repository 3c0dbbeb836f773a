using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Sync;

/// <summary>
/// `rag sync --access-map FILE` as CI runs it, a real process against the real service: the manifest carries each
/// path's access list, the service applies it on write, and a changed list alone is an access change (same chunks,
/// nothing re-extracted or re-embedded).
/// </summary>
public sealed class SyncAccessMapTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ragsvc-accessmap-" + Guid.NewGuid().ToString("N")[..12]);
    private ServiceHost _host = null!;

    private string Folder => Path.Combine(_root, "docs");

    private string MapFile => Path.Combine(_root, "access-map");

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        Directory.CreateDirectory(Path.Combine(Folder, "hr", "public"));
        await File.WriteAllTextAsync(Path.Combine(Folder, "guide.md"), "# Guide\n\nThe canteen opens at noon.");
        await File.WriteAllTextAsync(Path.Combine(Folder, "hr", "leave.md"), "# Leave\n\nParental leave is sixteen weeks.");
        await File.WriteAllTextAsync(Path.Combine(Folder, "hr", "public", "holidays.md"), "# Holidays\n\nThe office closes on May 1.");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Each_path_gets_the_last_matching_rule_and_a_changed_list_alone_changes_only_access()
    {
        await File.WriteAllTextAsync(MapFile, "# who reads what\n**            group:staff\nhr/**         group:hr\nhr/public/*\n");
        var first = await RunAsync("--create", "--access-map", MapFile);
        Assert.True(first.ExitCode == 0, first.ToString());
        // Worked by hand: guide.md matches only "**"; hr/leave.md last matches "hr/**"; holidays.md last matches "hr/public/*", which names no one.
        Assert.Equal("group:staff", await AccessAsync("guide.md"));
        Assert.Equal("group:hr", await AccessAsync("hr/leave.md"));
        Assert.Equal("(none)", await AccessAsync("hr/public/holidays.md"));
        var chunksBefore = await ChunkIdsAsync("hr/leave.md");

        await File.WriteAllTextAsync(MapFile, "**  group:staff\nhr/**  group:hr group:finance\n");
        var plan = await RunAsync("--access-map", MapFile, "--dry-run");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("0 to add, 0 to update, 3 unchanged (2 of them with new access), 0 to delete", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("  = hr/leave.md\n", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("  = hr/public/holidays.md\n", plan.Stdout, StringComparison.Ordinal);
        Assert.Equal("group:hr", await AccessAsync("hr/leave.md"));

        var second = await RunAsync("--access-map", MapFile);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("updated   0", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("unchanged 3", second.Stdout, StringComparison.Ordinal);
        Assert.Equal("group:finance,group:hr", await AccessAsync("hr/leave.md"));
        Assert.Equal("group:finance,group:hr", await AccessAsync("hr/public/holidays.md"));
        Assert.Equal(chunksBefore, await ChunkIdsAsync("hr/leave.md")); // the same chunks: not rewritten, so not re-embedded

        // A sync without a map leaves every list as it is; a changed file with a map is written with its list.
        await File.WriteAllTextAsync(Path.Combine(Folder, "guide.md"), "# Guide\n\nThe canteen opens at one.");
        Assert.True((await RunAsync()).ExitCode == 0);
        Assert.Equal("group:staff", await AccessAsync("guide.md"));
        Assert.Equal("group:finance,group:hr", await AccessAsync("hr/leave.md"));
    }

    [Fact]
    public async Task A_map_naming_a_malformed_principal_is_refused_and_writes_nothing()
    {
        await File.WriteAllTextAsync(MapFile, "hr/**  hr-team\n");
        var result = await RunAsync("--create", "--access-map", MapFile);
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("access", result.Stderr, StringComparison.Ordinal);
        var docs = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/handbook/documents");
        Assert.Empty(docs.EnumerateArray());
    }

    [Fact]
    public async Task A_missing_map_file_is_a_usage_error()
    {
        var result = await RunAsync("--create", "--access-map", Path.Combine(_root, "nope"));
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("--access-map: no such file", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Client.GetAsync("/v1/collections/handbook")).StatusCode);
    }

    /// <summary>The document's access list, sorted and comma-joined; "(none)" without one.</summary>
    private async Task<string> AccessAsync(string id)
    {
        var doc = await _host.Client.GetFromJsonAsync<JsonElement>($"/v1/collections/handbook/documents/{id}");
        return doc.GetProperty("access") is { ValueKind: JsonValueKind.Array } list
            ? string.Join(',', list.EnumerateArray().Select(p => p.GetString()!).Order(StringComparer.Ordinal))
            : "(none)";
    }

    private async Task<long[]> ChunkIdsAsync(string id)
    {
        var chunks = await _host.Client.GetFromJsonAsync<JsonElement>($"/v1/collections/handbook/chunks?documentId={Uri.EscapeDataString(id)}");
        return chunks.EnumerateArray().Select(c => c.GetProperty("chunkId").GetInt64()).ToArray();
    }

    private sealed record CliResult(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    private async Task<CliResult> RunAsync(params string[] options)
    {
        var (exitCode, stdout, stderr) = await RagService.Cli.Tests.CliProcess.RunAsync(CliSyncTests.CliPath(),
            new[] { "sync", Folder, "--collection", "handbook", "--url", _host.Client.BaseAddress!.ToString() }.Concat(options),
            new Dictionary<string, string> { ["RAG_API_KEY"] = ServiceHost.BootstrapKey });
        return new CliResult(exitCode, stdout, stderr);
    }
}
