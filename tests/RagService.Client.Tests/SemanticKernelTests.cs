using System.Text.Json;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using Microsoft.SemanticKernel.Data;
using RagService.Api.Tests;
using RagService.Client.Models;
using RagService.SemanticKernel;

namespace RagService.Client.Tests;

/// <summary>The SK plugin and text search against the real service; the chatbot's model is the local OpenAI-compatible endpoint.</summary>
public sealed class SemanticKernelTests
{
    private static async Task SeedAsync(RagServiceClient rag)
    {
        await rag.CreateCollectionAsync(new CollectionSettings("kb"));
        await rag.AddDocumentAsync("kb", new DocumentInput("# Terms\n\nThe oven warranty lasts three years from purchase.", Id: "warranty", Title: "Oven warranty", Format: "markdown"));
        await rag.AddDocumentAsync("kb", new DocumentInput("The margherita pizza costs 26 yuan.", Id: "menu", Title: "Menu"));
    }

    [Fact]
    public async Task A_kernel_with_the_plugin_answers_through_auto_function_calling_and_cites_the_service()
    {
        await using var f = await ClientFixture.StartAsync();
        await SeedAsync(f.Client);
        await using var model = await FakeLlmServer.StartAsync();
        // The chatbot's model asks for the search function, then answers from what it returned, citing the first result.
        model.ToolCall = ("search", """{"query":"oven warranty","top":2}""");
        model.AnswerFromToolResult = result =>
        {
            var first = JsonSerializer.Deserialize<JsonElement>(result)[0];
            return $"Three years. Source: {first.GetProperty("Name").GetString()} ({first.GetProperty("Link").GetString()})";
        };

        var builder = Kernel.CreateBuilder();
        builder.AddOpenAIChatCompletion("test-model", new Uri(model.Url), "none");
        var kernel = builder.Build();
        kernel.AddRagServicePlugin(f.Client, f.Address, "kb");
        var history = new ChatHistory();
        history.AddUserMessage("How long is the oven warranty?");

        var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history,
            new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() }, kernel);

        var link = new Uri(f.Address, "/v1/collections/kb/documents/warranty").AbsoluteUri;
        Assert.Equal($"Three years. Source: Oven warranty › Terms ({link})", reply.Content);
        // The model saw both functions with their descriptions, and the tool result came from the real service.
        var requests = model.Requests.ToList();
        Assert.Equal(2, requests.Count);
        var offered = requests[0].GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function")).ToList();
        Assert.Equal(["knowledge-ask", "knowledge-search"], offered.Select(t => t.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(offered, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("description").GetString())));
        var toolMessage = requests[1].GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Contains("The oven warranty lasts three years from purchase.", toolMessage.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Text_search_results_carry_citation_name_link_and_text()
    {
        await using var f = await ClientFixture.StartAsync();
        await SeedAsync(f.Client);
        var search = new RagServiceTextSearch(f.Client, f.Address, "kb", new SearchOptions(Mode: "bm25"));

        var results = new List<TextSearchResult>();
        await foreach (var r in (await search.GetTextSearchResultsAsync("margherita pizza", new TextSearchOptions<SearchHit> { Top = 1 })).Results)
        {
            results.Add(r);
        }

        var hit = Assert.Single(results);
        Assert.Equal("Menu", hit.Name);
        Assert.Equal(new Uri(f.Address, "/v1/collections/kb/documents/menu").AbsoluteUri, hit.Link);
        Assert.Equal("The margherita pizza costs 26 yuan.", hit.Value);

        var texts = new List<string>();
        await foreach (var t in (await search.SearchAsync("oven warranty", new TextSearchOptions<SearchHit> { Top = 5, Filter = h => h.DocumentId == "warranty" })).Results)
        {
            texts.Add(t);
        }

        Assert.Equal("Terms\nThe oven warranty lasts three years from purchase.", Assert.Single(texts)); // the chunk starts with its heading
    }

    [Fact]
    public async Task A_heading_that_repeats_the_title_is_not_repeated_in_the_citation_name()
    {
        await using var f = await ClientFixture.StartAsync();
        await f.Client.CreateCollectionAsync(new CollectionSettings("kb"));
        await f.Client.AddDocumentAsync("kb", new DocumentInput("# 披萨菜单\n\n## 经典披萨\n\n玛格丽特披萨26元。", Id: "menu", Title: "披萨菜单", Format: "markdown"));
        var search = new RagServiceTextSearch(f.Client, f.Address, "kb", new SearchOptions(Mode: "bm25"));

        var names = new List<string?>();
        await foreach (var r in (await search.GetTextSearchResultsAsync("玛格丽特", new TextSearchOptions<SearchHit> { Top = 1 })).Results)
        {
            names.Add(r.Name);
        }

        Assert.Equal("披萨菜单 › 经典披萨", Assert.Single(names));
    }

    [Fact]
    public async Task The_ask_function_returns_the_services_answer_with_numbered_sources()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = "Three years [1].";
        await using var f = await ClientFixture.StartAsync($"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");
        await SeedAsync(f.Client);
        var kernel = new Kernel();
        var plugin = kernel.AddRagServicePlugin(f.Client, f.Address, "kb");

        var result = await kernel.InvokeAsync(plugin["ask"], new KernelArguments { ["question"] = "How long is the oven warranty?" });

        var answer = result.GetValue<KnowledgeAnswer>()!;
        Assert.Equal("Three years [1].", answer.Answer);
        Assert.Equal("Oven warranty › Terms", answer.Sources[0].Name);
        Assert.Equal(1, answer.Sources[0].Number);
    }
}
