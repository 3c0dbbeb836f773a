using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace RagService.Api.Tests.Docs;

/// <summary>
/// Runs every command block of README.md's "Try it" section with bash against a test host that stands in for
/// ./run.sh (the demo knowledge base, an admin key in data/bootstrap-admin.key, no LLM): each curl must answer 2xx,
/// and each JSON response must keep the shape recorded in readme-try-it.shapes.json. After an intended change of a
/// response or of the README, refresh the recording with
/// RAG_UPDATE_DOC_SHAPES=1 dotnet test tests/RagService.Api.Tests -c Release --filter ReadmeTryItTests
/// and review its diff.
/// </summary>
public sealed class ReadmeTryItTests(ITestOutputHelper output)
{
    private const string ShapesFile = "tests/RagService.Api.Tests/Docs/readme-try-it.shapes.json";

    [Fact]
    public async Task Every_command_in_Try_it_answers_2xx_with_the_recorded_shape()
    {
        await using var host = await ServiceHost.StartAsync("--Rag:Demo=true");
        var work = Directory.CreateDirectory(Path.Combine(host.Directory, "try-it")).FullName;
        Directory.CreateDirectory(Path.Combine(work, "data"));
        await File.WriteAllTextAsync(Path.Combine(work, "data", "bootstrap-admin.key"), ServiceHost.BootstrapKey + "\n");
        var address = host.Client.BaseAddress!.Authority;

        var shapes = new JsonObject();
        var blocks = ReadmeCommandBlocks.Of("Try it");
        Assert.NotEmpty(blocks);
        for (var b = 0; b < blocks.Count; b++)
        {
            if (!blocks[b].Contains("curl ", StringComparison.Ordinal))
            {
                output.WriteLine($"block {b + 1} starts the service (the test host stands in for it): {blocks[b].Trim()}");
                continue;
            }

            foreach (var (command, status, body) in await RunAsync(blocks[b].Replace("localhost:5080", address, StringComparison.Ordinal), work))
            {
                Assert.True(status is >= 200 and < 300, $"README 'Try it' block {b + 1}: {command}\nanswered {status}: {body}");
                var asWritten = System.Text.RegularExpressions.Regex.Replace(command, @"\s+", " ")
                    .Replace(address, "localhost:5080", StringComparison.Ordinal).Replace(ServiceHost.BootstrapKey, "$KEY", StringComparison.Ordinal);
                shapes[$"block {b + 1}: {asWritten}"] = JsonShape.Of(JsonDocument.Parse(body).RootElement);
            }
        }

        var path = Path.Combine(ReadmeCommandBlocks.RepositoryRoot(), ShapesFile);
        var actual = shapes.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        if (Environment.GetEnvironmentVariable("RAG_UPDATE_DOC_SHAPES") == "1")
        {
            await File.WriteAllTextAsync(path, actual);
        }

        var expected = File.Exists(path) ? await File.ReadAllTextAsync(path) : "(missing)";
        Assert.True(expected == actual, $"the responses of README 'Try it' changed shape; if intended, rerun with RAG_UPDATE_DOC_SHAPES=1 and review {ShapesFile}.\nNow:\n{actual}");
    }

    /// <summary>Runs a block with bash (set -e) in <paramref name="folder"/>; every curl call is recorded: its arguments, HTTP status and body.</summary>
    private static async Task<List<(string Command, int Status, string Body)>> RunAsync(string block, string folder)
    {
        var record = Directory.CreateDirectory(Path.Combine(folder, "calls-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        const string Recorder = """
            set -e
            calls=0
            curl() {
              calls=$((calls + 1))
              printf '%s ' curl "$@" > "$RAG_CALLS/$calls.command"
              command curl -sS -o "$RAG_CALLS/$calls.body" -w '%{http_code}' "$@" > "$RAG_CALLS/$calls.status"
            }

            """;
        var start = new ProcessStartInfo("bash") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Recorder + block);
        start.Environment["RAG_CALLS"] = record;
        using var bash = Process.Start(start)!;
        bash.StandardInput.Close();
        var stderr = bash.StandardError.ReadToEndAsync();
        await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, $"the block failed (exit {bash.ExitCode}): {await stderr}\n{block}");

        var calls = new List<(string, int, string)>();
        for (var i = 1; File.Exists(Path.Combine(record, $"{i}.command")); i++)
        {
            calls.Add(((await File.ReadAllTextAsync(Path.Combine(record, $"{i}.command"))).Trim(),
                int.Parse(await File.ReadAllTextAsync(Path.Combine(record, $"{i}.status")), System.Globalization.CultureInfo.InvariantCulture),
                await File.ReadAllTextAsync(Path.Combine(record, $"{i}.body"))));
        }

        Assert.NotEmpty(calls);
        return calls;
    }
}
