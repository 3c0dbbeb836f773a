using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

namespace RagService.Api.Tests.Chatbot;

/// <summary>
/// The official OpenAI .NET SDK pointed at the service (the fake LLM behind it): answers, streams, follow-ups, errors
/// and the model list as an OpenAI client sees them.
/// </summary>
public sealed class OpenAiSdkTests
{
    private static OpenAIClientOptions Options(ChatbotHost chat) =>
        new() { Endpoint = new Uri(chat.BaseAddress, "v1"), RetryPolicy = new ClientRetryPolicy(0), NetworkTimeout = TimeSpan.FromSeconds(60) };

    private static ChatClient Chat(ChatbotHost chat, string model, string key) => new(model, new ApiKeyCredential(key), Options(chat));

    private static JsonElement Raw(ClientResult result) => JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement;

    [Fact]
    public async Task A_plain_answer_keeps_its_markers_and_carries_citation_annotations_usage_and_the_sources()
    {
        await using var chat = await ChatbotHost.StartAsync();

        var result = await Chat(chat, "demo", chat.ReaderKey).CompleteChatAsync([new UserChatMessage(ChatbotHost.Question)],
            new ChatCompletionOptions { MaxOutputTokenCount = 77, Temperature = 0.7f });

        var sent = Assert.Single(chat.AnswerRequests);
        var completion = result.Value;
        Assert.Equal(ChatbotHost.Reply, completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        // The fake LLM reports 10 prompt and 5 completion tokens.
        Assert.Equal(10, completion.Usage.InputTokenCount);
        Assert.Equal(5, completion.Usage.OutputTokenCount);

        // The sources are ask's for the same question; [1] is annotated with source 1's document.
        var rag = Raw(result).GetProperty("rag");
        Assert.Equal(await chat.AskSourcesAsync(ChatbotHost.Question), ChatbotHost.ChunkIds(rag.GetProperty("sources")));
        var first = rag.GetProperty("sources")[0];
#pragma warning disable OPENAI001 // the SDK marks message annotations as evaluation-only
        var annotation = Assert.Single(completion.Annotations);
#pragma warning restore OPENAI001
        Assert.Equal(ChatbotHost.Reply.IndexOf("[1]", StringComparison.Ordinal), annotation.StartIndex);
        Assert.Equal(annotation.StartIndex + 3, annotation.EndIndex);
        Assert.StartsWith(first.GetProperty("title").GetString()!, annotation.WebResourceTitle);
        Assert.Equal($"/v1/collections/demo/documents/{Uri.EscapeDataString(first.GetProperty("documentId").GetString()!)}", annotation.WebResourceUri.AbsolutePath);
        Assert.Contains(rag.GetProperty("stages").EnumerateArray(), s => s.GetProperty("stage").GetString() == "llm" && s.GetProperty("status").GetString() == "ok");

        // max_tokens and temperature reached the LLM as the client sent them.
        var cap = sent.TryGetProperty("max_completion_tokens", out var c) ? c : sent.GetProperty("max_tokens");
        Assert.Equal(77, cap.GetInt32());
        Assert.Equal(0.7, sent.GetProperty("temperature").GetDouble(), 3);
    }

    [Fact]
    public async Task Streamed_tokens_arrive_in_order_and_join_to_the_answer()
    {
        await using var chat = await ChatbotHost.StartAsync();

        var pieces = new List<string>();
        var finish = new List<ChatFinishReason>();
        ChatTokenUsage? usage = null;
        await foreach (var update in Chat(chat, "demo", chat.ReaderKey).CompleteChatStreamingAsync([new UserChatMessage(ChatbotHost.Question)]))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text).Where(t => t.Length > 0));
            if (update.FinishReason is { } reason)
            {
                finish.Add(reason);
            }

            usage ??= update.Usage;
        }

        // The fake LLM streams its reply word by word, each word followed by a space.
        Assert.Equal(ChatbotHost.Reply.Split(' ').Select(w => w + " "), pieces);
        Assert.Equal(ChatbotHost.Reply + " ", string.Concat(pieces));
        Assert.Equal([ChatFinishReason.Stop], finish);
    }

    [Fact]
    public async Task An_answer_cut_by_the_output_cap_finishes_with_length_streamed_or_not()
    {
        await using var chat = await ChatbotHost.StartAsync();
        chat.Llm!.FinishReason = "length";
        var client = Chat(chat, "demo", chat.ReaderKey);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 3 };

        var whole = await client.CompleteChatAsync([new UserChatMessage(ChatbotHost.Question)], options);
        var streamed = new List<ChatFinishReason>();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage(ChatbotHost.Question)], options))
        {
            if (update.FinishReason is { } reason)
            {
                streamed.Add(reason);
            }
        }

        Assert.Equal(ChatFinishReason.Length, whole.Value.FinishReason);
        Assert.Equal([ChatFinishReason.Length], streamed);
    }

    [Fact]
    public async Task A_follow_up_with_history_is_rewritten_and_retrieves_like_ask_does()
    {
        await using var chat = await ChatbotHost.StartAsync();

        var result = await Chat(chat, "demo", chat.ReaderKey).CompleteChatAsync(
            [new UserChatMessage(ChatbotHost.PizzaQuestion), new AssistantChatMessage(ChatbotHost.PizzaAnswer), new UserChatMessage(ChatbotHost.FollowUp)]);

        var rag = Raw(result).GetProperty("rag");
        Assert.Equal(ChatbotHost.FollowUp, rag.GetProperty("question").GetString());
        Assert.Equal(ChatbotHost.Rewrite, rag.GetProperty("rewrittenQuestion").GetString());
        Assert.Equal(await chat.SearchChunkIdsAsync(ChatbotHost.Rewrite), ChatbotHost.HitChunkIds(rag.GetProperty("sources")));
        Assert.Equal(await chat.AskSourcesAsync(ChatbotHost.FollowUp, ChatbotHost.PizzaHistory), ChatbotHost.ChunkIds(rag.GetProperty("sources")));

        // The answer prompt shows the earlier turns as the conversation.
        var prompt = string.Join("\n", chat.AnswerRequests[0].GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
        Assert.Contains("<conversation>", prompt);
        Assert.Contains(ChatbotHost.PizzaQuestion, prompt);
    }

    [Fact]
    public async Task A_wrong_key_is_the_SDKs_authentication_failure()
    {
        await using var chat = await ChatbotHost.StartAsync();

        var e = await Assert.ThrowsAsync<ClientResultException>(() =>
            Chat(chat, "demo", "not-a-key-of-this-service").CompleteChatAsync([new UserChatMessage(ChatbotHost.Question)]));

        Assert.Equal(401, e.Status);
        var error = JsonDocument.Parse(e.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Empty(chat.Llm!.Requests);
    }

    [Fact]
    public async Task A_collection_outside_the_keys_scope_is_not_found_for_that_key()
    {
        await using var chat = await ChatbotHost.StartAsync();

        var outside = await Assert.ThrowsAsync<ClientResultException>(() =>
            Chat(chat, "secret", chat.ReaderKey).CompleteChatAsync([new UserChatMessage("secret pizza")]));
        var missing = await Assert.ThrowsAsync<ClientResultException>(() =>
            Chat(chat, "no-such-collection", chat.ReaderKey).CompleteChatAsync([new UserChatMessage("secret pizza")]));

        Assert.Equal(404, outside.Status);
        Assert.Equal(404, missing.Status);
        var error = JsonDocument.Parse(outside.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.DoesNotContain("99 yuan", outside.GetRawResponse()!.Content.ToString());
        // The collection exists: a key for every collection gets its answer.
        var admin = await Chat(chat, "secret", ServiceHost.BootstrapKey).CompleteChatAsync([new UserChatMessage("secret pizza")]);
        Assert.Equal(ChatbotHost.Reply, admin.Value.Content[0].Text);
        Assert.Equal(404, (await Assert.ThrowsAsync<ClientResultException>(() =>
            new OpenAIModelClient(new ApiKeyCredential(chat.ReaderKey), Options(chat)).GetModelAsync("secret"))).Status);
    }

    [Fact]
    public async Task Models_lists_exactly_the_collections_the_key_can_read()
    {
        await using var chat = await ChatbotHost.StartAsync();

        var reader = await new OpenAIModelClient(new ApiKeyCredential(chat.ReaderKey), Options(chat)).GetModelsAsync();
        var admin = await new OpenAIModelClient(new ApiKeyCredential(ServiceHost.BootstrapKey), Options(chat)).GetModelsAsync();
        var one = await new OpenAIModelClient(new ApiKeyCredential(chat.ReaderKey), Options(chat)).GetModelAsync("recipes");

        Assert.Equal(["demo", "recipes"], reader.Value.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["demo", "recipes", "secret"], admin.Value.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal("recipes", one.Value.Id);
    }
}
