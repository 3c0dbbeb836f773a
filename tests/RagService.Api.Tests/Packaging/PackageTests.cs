using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Xml.Linq;
using RagService.Api.Tests.Docs;

namespace RagService.Api.Tests.Packaging;

/// <summary>
/// The packages as a user of another repository gets them: `dotnet pack` of this build, the rag tool installed into a
/// temporary tool path from the packed folder and run against a real service, and the library packages' metadata.
/// </summary>
public sealed class PackageTests : IAsyncLifetime
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "ragsvc-pack-" + Guid.NewGuid().ToString("N")[..12]);

    private string Packages => Path.Combine(_work, "packages");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Packages);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_rag_tool_installs_from_the_packed_folder_and_its_dry_run_writes_nothing_while_yes_matches_the_folder()
    {
        await PackAsync("RagService.Cli");
        var tools = Path.Combine(_work, "tools");
        var install = await RunAsync("dotnet", ["tool", "install", "RagService.Cli", "--tool-path", tools, "--add-source", Packages, "--version", Version(), "--ignore-failed-sources"]);
        Assert.True(install.ExitCode == 0, install.Output);
        var rag = Path.Combine(tools, "rag");

        var version = await RunAsync(rag, ["--version"]);
        Assert.Equal($"rag {Version()}", version.Output.Trim());

        var folder = Directory.CreateDirectory(Path.Combine(_work, "kb")).FullName;
        Directory.CreateDirectory(Path.Combine(folder, "guides"));
        await File.WriteAllTextAsync(Path.Combine(folder, "menu.md"), "# Menu\n\nMargherita 42 yuan.");
        await File.WriteAllTextAsync(Path.Combine(folder, "guides", "oven.txt"), "Error QX-77 means the fan is blocked.");
        await using var host = await ServiceHost.StartAsync();
        string[] sync = ["sync", folder, "--collection", "handbook", "--create", "--prune", "--url", host.Client.BaseAddress!.ToString()];
        var environment = new Dictionary<string, string> { ["RAG_API_KEY"] = ServiceHost.BootstrapKey };

        var dryRun = await RunAsync(rag, [.. sync, "--dry-run"], environment);
        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.Contains("2 to add", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/v1/collections/handbook")).StatusCode);

        var yes = await RunAsync(rag, [.. sync, "--yes"], environment);
        Assert.True(yes.ExitCode == 0, yes.Output);
        var documents = await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/handbook/documents");
        var expected = new[] { "guides/oven.txt", "menu.md" }.Select(p => $"{p} {Sha256(Path.Combine(folder, p))}");
        Assert.Equal(expected, documents.EnumerateArray().Select(d => $"{d.GetProperty("id").GetString()} {d.GetProperty("sourceSha256").GetString()}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("RagService.Client")]
    [InlineData("RagService.SemanticKernel")]
    public async Task A_library_package_carries_its_readme_license_xml_docs_and_symbols(string id)
    {
        await PackAsync(id);

        using var package = ZipFile.OpenRead(Path.Combine(Packages, $"{id}.{Version()}.nupkg"));
        var nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open());
        var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.Equal(Version(), Field("version"));
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("README.md", Field("readme"));
        // SourceLink: the commit it was built from (and the URL of git's origin remote, where the clone has one).
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
        var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("README.md", entries);
        Assert.Contains($"lib/net10.0/{id}.dll", entries);
        Assert.Contains($"lib/net10.0/{id}.xml", entries);

        using var symbols = ZipFile.OpenRead(Path.Combine(Packages, $"{id}.{Version()}.snupkg"));
        Assert.Contains($"lib/net10.0/{id}.pdb", symbols.Entries.Select(e => e.FullName));
    }

    /// <summary>The one version of every package: Directory.Build.props.</summary>
    private static string Version() =>
        XDocument.Load(Path.Combine(ReadmeCommandBlocks.RepositoryRoot(), "Directory.Build.props")).Descendants("Version").Single().Value;

    /// <summary>Packs a project of this build (same configuration, no rebuild) into the temporary package folder.</summary>
    private async Task PackAsync(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(ReadmeCommandBlocks.RepositoryRoot(), "src", project);
        var pack = await RunAsync("dotnet", ["pack", path, "-c", configuration, "--no-build", "-o", Packages, "-p:ExportOpenApi=false"]);
        Assert.True(pack.ExitCode == 0, pack.Output);
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, stdout, stderr) = await RagService.Cli.Tests.CliProcess.RunProgramAsync(program, args, environment);
        return (exitCode, stdout + stderr);
    }
}
