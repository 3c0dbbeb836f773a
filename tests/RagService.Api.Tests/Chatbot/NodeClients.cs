using System.Text.Json;
using RagService.Cli.Tests;

namespace RagService.Api.Tests.Chatbot;

/// <summary>
/// Runs the scripts of tests/node-clients (the official `openai` and `@modelcontextprotocol/sdk` npm packages) with node,
/// installing the packages first with `npm ci` from the committed package-lock.json when node_modules lacks them. The
/// tests skip only when node is not installed.
/// </summary>
internal static class NodeClients
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    public static string Folder { get; } = FindFolder();

    /// <summary>Skips the calling test when node is not on PATH (the only reason these tests skip).</summary>
    public static void RequireNode() =>
        Skip.If(Find("node") is null, "node is not installed: the OpenAI and MCP TypeScript SDK clients need Node.js 20 or later on PATH");

    /// <summary>Runs `node script` with the variables and returns the JSON it printed last.</summary>
    public static async Task<JsonElement> RunAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        RequireNode();
        await EnsureInstalledAsync();
        var (exit, stdout, stderr) = await CliProcess.RunProgramAsync(Find("node")!, [Path.Combine(Folder, script)], environment, Folder);
        Assert.True(exit == 0, $"node {script} exited with {exit}:\n{stderr}\n{stdout}");
        return JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
    }

    private static async Task EnsureInstalledAsync()
    {
        await Install.WaitAsync();
        try
        {
            if (File.Exists(Path.Combine(Folder, "node_modules", "openai", "package.json"))
                && File.Exists(Path.Combine(Folder, "node_modules", "@modelcontextprotocol", "sdk", "package.json")))
            {
                return;
            }

            var npm = Find("npm") ?? throw new InvalidOperationException("node is installed but npm is not: install npm to fetch the test clients");
            var (exit, stdout, stderr) = await CliProcess.RunProgramAsync(npm, ["ci", "--no-audit", "--no-fund"], null, Folder);
            Assert.True(exit == 0, $"npm ci in {Folder} failed ({exit}):\n{stderr}\n{stdout}");
        }
        finally
        {
            Install.Release();
        }
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "tests", "node-clients");
            if (File.Exists(Path.Combine(folder, "package.json")))
            {
                return folder;
            }
        }

        throw new InvalidOperationException($"tests/node-clients/package.json not found above {AppContext.BaseDirectory}");
    }
}
