using System.Diagnostics;
using System.Text.Json;
using RagService.Api.Tests;
using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>samples/ChatConsole as a user runs it: a child process configured by the environment variables its README names.</summary>
public sealed class ChatSampleTests
{
    [Fact]
    public async Task The_console_chat_answers_with_a_citation_from_the_knowledge_base()
    {
        await using var f = await ClientFixture.StartAsync();
        await f.Client.CreateCollectionAsync(new CollectionSettings("kb"));
        await f.Client.AddDocumentAsync("kb", new DocumentInput("The oven warranty lasts three years from purchase.", Id: "warranty", Title: "Oven warranty"));
        await using var model = await FakeLlmServer.StartAsync();
        model.ToolCall = ("search", """{"query":"oven warranty"}""");
        model.AnswerFromToolResult = result => $"Three years. Source: {JsonSerializer.Deserialize<JsonElement>(result)[0].GetProperty("Name").GetString()}";

        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(SamplePath());
        start.Environment["RAG_URL"] = f.Address.AbsoluteUri;
        start.Environment["RAG_COLLECTION"] = "kb";
        start.Environment["RAG_LLM_URL"] = model.Url;
        start.Environment["RAG_LLM_MODEL"] = "test-model";
        start.Environment["RAG_API_KEY"] = ClientFixture.ApiKeyOf(f.Host) ?? "";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteLineAsync("How long is the oven warranty?");
        await process.StandardInput.WriteLineAsync("");
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

        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Contains("assistant> Three years. Source: Oven warranty", await stdout);
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
