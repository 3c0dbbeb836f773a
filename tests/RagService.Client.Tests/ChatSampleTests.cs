using System.Diagnostics;
using System.Text.Json;
using RagService.Api.Tests;
using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>samples/ChatConsole as a user runs it: a child process configured by the environment variables its README names.</summary>
public sealed class ChatSampleTests : IAsyncLifetime
{
    private readonly string _workingDirectory = Path.Combine(Path.GetTempPath(), "ragsvc-chat-" + Guid.NewGuid().ToString("N")[..12]);
    private ClientFixture _f = null!;
    private FakeLlmServer _model = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_workingDirectory);
        _f = await ClientFixture.StartAsync();
        await _f.Client.CreateCollectionAsync(new CollectionSettings("kb"));
        await _f.Client.AddDocumentAsync("kb", new DocumentInput("The oven warranty lasts three years from purchase.", Id: "warranty", Title: "Oven warranty"));
        _model = await FakeLlmServer.StartAsync();
        _model.ToolCall = ("search", """{"query":"oven warranty"}""");
        _model.AnswerFromToolResult = result => $"Three years. Source: {JsonSerializer.Deserialize<JsonElement>(result)[0].GetProperty("Name").GetString()}";
    }

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        await _f.DisposeAsync();
        Directory.Delete(_workingDirectory, recursive: true);
    }

    [Fact]
    public async Task The_console_chat_answers_with_a_citation_from_the_knowledge_base()
    {
        var (exitCode, stdout, stderr) = await RunSampleAsync(ClientFixture.ApiKeyOf(_f.Host));

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("assistant> Three years. Source: Oven warranty", stdout);
    }

    [Fact]
    public async Task Without_RAG_API_KEY_it_reads_the_key_run_sh_wrote()
    {
        Directory.CreateDirectory(Path.Combine(_workingDirectory, "data"));
        await File.WriteAllTextAsync(Path.Combine(_workingDirectory, "data", "bootstrap-admin.key"), ClientFixture.ApiKeyOf(_f.Host) + "\n");

        var (exitCode, stdout, stderr) = await RunSampleAsync(apiKey: null);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("assistant> Three years. Source: Oven warranty", stdout);
    }

    [Fact]
    public async Task Without_any_key_it_says_which_to_set_and_a_wrong_key_is_reported_before_the_first_question()
    {
        var none = await RunSampleAsync(apiKey: null);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("set RAG_API_KEY", none.Stderr);
        Assert.Contains("data/bootstrap-admin.key", none.Stderr);

        var wrong = await RunSampleAsync("not-a-key-of-this-service");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("cannot read collection 'kb'", wrong.Stderr);
        Assert.Empty(_model.Requests); // the model was never asked
    }

    [Fact]
    public async Task A_failing_knowledge_base_call_is_printed()
    {
        _model.ToolCall = ("search", """{"query":""}"""); // the service refuses an empty query with 400
        _model.AnswerFromToolResult = _ => "I could not search.";

        var (exitCode, stdout, stderr) = await RunSampleAsync(ClientFixture.ApiKeyOf(_f.Host));

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("(tool knowledge-search failed: ", stderr);
        Assert.Contains("assistant> I could not search.", stdout);
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunSampleAsync(string? apiKey)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = _workingDirectory,
        };
        start.ArgumentList.Add(SamplePath());
        start.Environment["RAG_URL"] = _f.Address.AbsoluteUri;
        start.Environment["RAG_COLLECTION"] = "kb";
        start.Environment["RAG_LLM_URL"] = _model.Url;
        start.Environment["RAG_LLM_MODEL"] = "test-model";
        start.Environment["RAG_API_KEY"] = apiKey ?? "";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteLineAsync("How long is the oven warranty?");
            await process.StandardInput.WriteLineAsync("");
        }
        catch (IOException)
        {
            // The sample exited before reading (a refused start): its exit code and stderr say why.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string SamplePath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = dir.Parent!.Name;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
        {
            dir = dir.Parent;
        }

        var path = Path.Combine(dir!.FullName, "samples", "ChatConsole", "bin", configuration, "net10.0", "ChatConsole.dll");
        Assert.True(File.Exists(path), $"the sample is not built at {path}");
        return path;
    }
}
