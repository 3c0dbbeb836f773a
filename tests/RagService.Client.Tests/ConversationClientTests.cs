using System.Text.Json;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using RagService.Api.Tests;
using RagService.Client.Models;
using RagService.SemanticKernel;

namespace RagService.Client.Tests;

/// <summary>The .NET client and the SK plugin pass a conversation's earlier turns through to the service's ask.</summary>
public sealed class ConversationClientTests
{
    private const string FirstQuestion = "How long is the oven warranty?";
    private const string FollowUp = "Does it cover the door seals?";

    private static async Task SeedAsync(RagServiceClient rag)
    {
        await rag.CreateCollectionAsync(new CollectionSettings("kb"));
        await rag.AddDocumentAsync("kb", new DocumentInput("The oven warranty lasts three years and covers the door seals.", Id: "warranty", Title: "Oven warranty"));
        await rag.AddDocumentAsync("kb", new DocumentInput("The margherita pizza costs 26 yuan.", Id: "menu", Title: "Menu"));
    }

    private static bool IsRewrite(JsonElement body) =>
        body.GetProperty("messages")[0].GetProperty("content").GetString()!.Contains("standalone question", StringComparison.Ordinal);

    [Fact]
    public async Task Ask_and_its_stream_send_the_history_and_report_the_question_retrieval_ran_on()
    {
        await using var f = await ClientFixture.StartAsync();
        await SeedAsync(f.Client);
        IReadOnlyList<ConversationTurn> history = [ConversationTurn.User(FirstQuestion), ConversationTurn.Assistant("Three years [1].")];

        var result = await f.Client.AskAsync("kb", FollowUp, history: history);
        AskResult? streamed = null;
        await foreach (var update in f.Client.AskStreamAsync("kb", FollowUp, history: history))
        {
            streamed ??= update.Result;
        }

        // No LLM here: the service's deterministic fallback, the previous user turn then the question.
        foreach (var r in new[] { result, streamed! })
        {
            Assert.Equal(FollowUp, r.Question);
            Assert.Equal($"{FirstQuestion} {FollowUp}", r.RewrittenQuestion);
            Assert.Equal("fallback", r.Stages.Single(s => s.Name == "rewrite").Status);
            Assert.Equal("warranty", r.Sources[0].DocumentId);
        }

        Assert.Null((await f.Client.AskAsync("kb", FollowUp)).RewrittenQuestion);
    }

    [Fact]
    public async Task The_plugins_ask_passes_the_chats_earlier_turns_to_the_service()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Script = body => IsRewrite(body) ? new FakeLlmServer.ScriptedReply(Reply: "Does the oven warranty cover the door seals?") : null;
        llm.Reply = "Yes [1].";
        await using var f = await ClientFixture.StartAsync($"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");
        await SeedAsync(f.Client);
        var chat = new ChatHistory();
        chat.AddSystemMessage("You are the shop's assistant.");
        chat.AddUserMessage(FirstQuestion);
        chat.AddAssistantMessage("Three years.");
        chat.AddUserMessage(FollowUp);
        var kernel = new Kernel();
        var plugin = kernel.AddRagServicePlugin(f.Client, f.Address, "kb", conversation: chat);

        var answer = (await kernel.InvokeAsync(plugin["ask"], new KernelArguments { ["question"] = FollowUp })).GetValue<KnowledgeAnswer>()!;

        Assert.Equal("Yes [1].", answer.Answer);
        Assert.Contains("covers the door seals", answer.Sources[0].Text);
        var sent = string.Join("\n", Assert.Single(llm.Requests, IsRewrite).GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
        Assert.Contains($"<turn role=\"user\">\n{FirstQuestion}\n</turn>", sent);
        Assert.Contains("<turn role=\"assistant\">\nThree years.\n</turn>", sent);
        Assert.DoesNotContain("shop's assistant", sent); // the system message is not a turn
        Assert.Equal(1, sent.Split($"{FollowUp}").Length - 1); // the current question only once, as the question
    }
}
