using System.Text.Json;

namespace RagService.Api.Tests.Chatbot;

/// <summary>
/// The official TypeScript SDKs, run by node against the service: the `openai` package on the OpenAI-compatible routes
/// (tests/node-clients/openai-chat.mjs) and `@modelcontextprotocol/sdk` on /mcp (mcp-search.mjs).
/// </summary>
public sealed class NodeClientTests
{
    [SkippableFact]
    public async Task The_openai_npm_package_gets_answers_streams_follow_ups_models_and_its_own_errors()
    {
        NodeClients.RequireNode();
        await using var chat = await ChatbotHost.StartAsync();

        var seen = await NodeClients.RunAsync("openai-chat.mjs", new Dictionary<string, string>
        {
            ["RAG_BASE_URL"] = chat.BaseUrl, ["RAG_API_KEY"] = chat.ReaderKey, ["RAG_MODEL"] = "demo", ["RAG_QUESTION"] = ChatbotHost.Question,
            ["RAG_ASSISTANT_TURN"] = ChatbotHost.Reply, ["RAG_FOLLOW_UP"] = ChatbotHost.FollowUp, ["RAG_OUT_OF_SCOPE"] = "secret",
        });

        var askSources = await chat.AskSourcesAsync(ChatbotHost.Question);
        var plain = seen.GetProperty("plain");
        Assert.Equal("chat.completion", plain.GetProperty("object").GetString());
        Assert.Equal("demo", plain.GetProperty("model").GetString());
        Assert.Equal(ChatbotHost.Reply, plain.GetProperty("content").GetString());
        Assert.Equal("stop", plain.GetProperty("finishReason").GetString());
        var annotation = Assert.Single(plain.GetProperty("annotations").EnumerateArray());
        Assert.Equal("url_citation", annotation.GetProperty("type").GetString());
        Assert.Equal(ChatbotHost.Reply.IndexOf("[1]", StringComparison.Ordinal), annotation.GetProperty("url_citation").GetProperty("start_index").GetInt32());
        Assert.Equal(15, plain.GetProperty("usage").GetProperty("total_tokens").GetInt32());
        Assert.Equal(askSources, plain.GetProperty("sources").EnumerateArray().Select(s => s.GetInt64()));

        var stream = seen.GetProperty("stream");
        Assert.Equal(ChatbotHost.Reply.Split(' ').Select(w => w + " "), stream.GetProperty("pieces").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["stop"], stream.GetProperty("finishReasons").EnumerateArray().Select(p => p.GetString()));
        Assert.Single(stream.GetProperty("annotations").EnumerateArray());
        Assert.Equal(askSources, stream.GetProperty("sources").EnumerateArray().Select(s => s.GetInt64()));
        Assert.Equal(5, stream.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var followUp = seen.GetProperty("followUp");
        Assert.Equal(ChatbotHost.Rewrite, followUp.GetProperty("rewrittenQuestion").GetString());
        Assert.Equal(await chat.SearchChunkIdsAsync(ChatbotHost.Rewrite), followUp.GetProperty("sources").EnumerateArray().Select(s => s.GetInt64()));

        Assert.Equal(["demo", "recipes"], seen.GetProperty("modelIds").EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal));
        var wrongKey = seen.GetProperty("wrongKey");
        Assert.Equal(401, wrongKey.GetProperty("status").GetInt32());
        Assert.True(wrongKey.GetProperty("authentication").GetBoolean());
        var outOfScope = seen.GetProperty("outOfScope");
        Assert.Equal(404, outOfScope.GetProperty("status").GetInt32());
        Assert.True(outOfScope.GetProperty("notFound").GetBoolean());
        Assert.Equal("model_not_found", outOfScope.GetProperty("code").GetString());
    }

    [SkippableFact]
    public async Task The_MCP_TypeScript_SDK_initializes_lists_tools_and_searches()
    {
        NodeClients.RequireNode();
        await using var chat = await ChatbotHost.StartAsync(withLlm: false);

        var seen = await NodeClients.RunAsync("mcp-search.mjs", new Dictionary<string, string>
        {
            ["RAG_BASE_URL"] = chat.BaseUrl, ["RAG_API_KEY"] = chat.ReaderKey, ["RAG_COLLECTION"] = "demo", ["RAG_QUERY"] = "XYZ-123",
        });

        Assert.Equal("RagService", seen.GetProperty("server").GetProperty("name").GetString());
        var tools = seen.GetProperty("tools").EnumerateArray().ToList();
        Assert.Equal(["ask", "get_chunks", "get_document", "list_collections", "search"], tools.Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.True(t.GetProperty("hasInputSchema").GetBoolean() && t.GetProperty("hasOutputSchema").GetBoolean()));

        var search = seen.GetProperty("search");
        Assert.False(search.GetProperty("isError").GetBoolean(), search.GetProperty("text").GetString());
        var passages = search.GetProperty("structured").GetProperty("passages").EnumerateArray().ToList();
        var rest = await chat.Host.SearchAsync("demo", "XYZ-123", topK: 3);
        Assert.Equal(ServiceHost.HitTexts(rest), passages.Select(p => p.GetProperty("text").GetString()!));
        Assert.Equal(rest.GetProperty("hits")[0].GetProperty("documentId").GetString(), passages[0].GetProperty("citation").GetProperty("documentId").GetString());

        var bad = seen.GetProperty("badArguments");
        Assert.True(bad.GetProperty("isError").GetBoolean());
        Assert.Contains("'topK' must be between 1 and", bad.GetProperty("text").GetString());
    }
}
