using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace RagService.Api.Tests.Chatbot;

/// <summary>The MCP C# SDK client over streamable HTTP against the service's /mcp, with the service's API keys.</summary>
public sealed class McpClientTests
{
    private static readonly string[] ReadTools = ["ask", "get_chunks", "get_document", "list_collections", "search"];

    private static Task<McpClient> ConnectAsync(ChatbotHost chat, string key, string header = "Authorization") =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(chat.BaseAddress, "mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { [header] = header == "Authorization" ? $"Bearer {key}" : key },
        }));

    private static JsonElement Structured(CallToolResult result)
    {
        Assert.True(result.IsError != true, Text(result));
        return JsonSerializer.SerializeToElement(result.StructuredContent);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    [Fact]
    public async Task Lists_tools_with_descriptions_and_schemas_and_search_and_ask_return_citations()
    {
        await using var chat = await ChatbotHost.StartAsync();
        await using var client = await ConnectAsync(chat, chat.ReaderKey);

        var tools = await client.ListToolsAsync();
        Assert.Equal(ReadTools, tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.True(t.Description.Length > 40, t.Name));
        Assert.All(tools, t => Assert.NotNull(t.ProtocolTool.OutputSchema));
        var searchSchema = tools.Single(t => t.Name == "search").JsonSchema;
        Assert.Equal(["collection", "query"], searchSchema.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order(StringComparer.Ordinal));

        var search = Structured(await client.CallToolAsync("search", new Dictionary<string, object?> { ["collection"] = "demo", ["query"] = "XYZ-123", ["topK"] = 3 }));
        var rest = await chat.Host.SearchAsync("demo", "XYZ-123", topK: 3);
        var passages = search.GetProperty("passages").EnumerateArray().ToList();
        Assert.Equal(ServiceHost.HitTexts(rest), passages.Select(p => p.GetProperty("text").GetString()!));
        Assert.Equal(Enumerable.Range(1, passages.Count), passages.Select(p => p.GetProperty("n").GetInt32()));
        var hit = rest.GetProperty("hits")[0];
        var citation = passages[0].GetProperty("citation");
        Assert.Equal(hit.GetProperty("documentId").GetString(), citation.GetProperty("documentId").GetString());
        Assert.Equal(hit.GetProperty("title").GetString(), citation.GetProperty("title").GetString());
        Assert.Equal(hit.GetProperty("headingPath").EnumerateArray().Select(h => h.GetString()), citation.GetProperty("section").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal($"rag://demo/documents/{Uri.EscapeDataString(hit.GetProperty("documentId").GetString()!)}", citation.GetProperty("uri").GetString());

        var ask = Structured(await client.CallToolAsync("ask", new Dictionary<string, object?> { ["collection"] = "demo", ["question"] = ChatbotHost.Question }));
        Assert.Equal(ChatbotHost.Reply, ask.GetProperty("answer").GetString());
        Assert.Equal("ok", ask.GetProperty("llm").GetString());
        var sources = ask.GetProperty("sources").EnumerateArray().ToList();
        Assert.NotEmpty(sources);
        var askRest = await (await chat.Host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question = ChatbotHost.Question })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(askRest.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("documentId").GetString()),
            sources.Select(s => s.GetProperty("citation").GetProperty("documentId").GetString()));
    }

    [Fact]
    public async Task Get_document_returns_the_document_and_its_resource_reads_the_same_text()
    {
        await using var chat = await ChatbotHost.StartAsync();
        const string text = "番茄汤需要番茄、鸡蛋和葱花，煮十分钟。";
        await using var client = await ConnectAsync(chat, chat.ReaderKey);

        var doc = Structured(await client.CallToolAsync("get_document", new Dictionary<string, object?> { ["collection"] = "recipes", ["documentId"] = "soup" }));
        Assert.Equal("soup", doc.GetProperty("id").GetString());
        Assert.Equal("番茄汤", doc.GetProperty("title").GetString());
        Assert.Equal(text, doc.GetProperty("text").GetString());
        Assert.False(doc.GetProperty("truncated").GetBoolean());
        Assert.Equal("rag://recipes/documents/soup", doc.GetProperty("uri").GetString());

        var resource = await client.ReadResourceAsync("rag://recipes/documents/soup");
        Assert.Equal(text, Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents)).Text);
        var listed = await client.ListResourcesAsync();
        Assert.Contains(listed, r => r.Uri == "rag://recipes/documents/soup" && r.Name == "番茄汤");
        Assert.DoesNotContain(listed, r => r.Uri.StartsWith("rag://secret/", StringComparison.Ordinal));

        var chunks = Structured(await client.CallToolAsync("get_chunks", new Dictionary<string, object?> { ["collection"] = "recipes", ["documentId"] = "soup" }));
        Assert.Equal(text, Assert.Single(chunks.GetProperty("chunks").EnumerateArray()).GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_reader_key_sees_no_write_tool_and_cannot_call_one_a_writer_can()
    {
        await using var chat = await ChatbotHost.StartAsync();
        var add = new Dictionary<string, object?> { ["collection"] = "demo", ["id"] = "mcp-note", ["text"] = "MCP 测试文档：周三半价。" };

        await using (var reader = await ConnectAsync(chat, chat.ReaderKey))
        {
            Assert.Equal(ReadTools, (await reader.ListToolsAsync()).Select(t => t.Name).Order(StringComparer.Ordinal));
            var refused = await reader.CallToolAsync("add_document", add);
            Assert.True(refused.IsError);
            Assert.Contains("needs a writer key", Text(refused));
        }

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await chat.Host.Client.GetAsync("/v1/collections/demo/documents/mcp-note")).StatusCode);

        await using var writer = await ConnectAsync(chat, chat.WriterKey);
        var names = (await writer.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("add_document", names);
        Assert.Contains("delete_document", names);
        var added = Structured(await writer.CallToolAsync("add_document", add));
        Assert.Equal("created", added.GetProperty("outcome").GetString());
        Assert.Equal(System.Net.HttpStatusCode.OK, (await chat.Host.Client.GetAsync("/v1/collections/demo/documents/mcp-note")).StatusCode);
    }

    [Fact]
    public async Task Bad_arguments_are_tool_errors_that_say_what_to_fix_and_the_session_goes_on()
    {
        await using var chat = await ChatbotHost.StartAsync();
        await using var client = await ConnectAsync(chat, chat.ReaderKey);

        var badTopK = await client.CallToolAsync("search", new Dictionary<string, object?> { ["collection"] = "demo", ["query"] = "披萨", ["topK"] = 0 });
        var blank = await client.CallToolAsync("search", new Dictionary<string, object?> { ["collection"] = "demo", ["query"] = "  " });
        var outside = await client.CallToolAsync("search", new Dictionary<string, object?> { ["collection"] = "secret", ["query"] = "pizza" });
        var noDocument = await client.CallToolAsync("get_document", new Dictionary<string, object?> { ["collection"] = "demo", ["documentId"] = "no-such-doc" });
        var badHistory = await client.CallToolAsync("ask", new Dictionary<string, object?>
        {
            ["collection"] = "demo", ["question"] = ChatbotHost.FollowUp, ["history"] = new[] { new { role = "robot", content = "beep" } },
        });

        Assert.True(badTopK.IsError);
        Assert.Contains("'topK' must be between 1 and", Text(badTopK));
        Assert.True(blank.IsError);
        Assert.Contains("'query' is required", Text(blank));
        Assert.True(outside.IsError);
        Assert.Contains("list_collections", Text(outside));
        Assert.DoesNotContain("99 yuan", Text(outside));
        Assert.True(noDocument.IsError);
        Assert.Contains("document 'no-such-doc' does not exist", Text(noDocument));
        Assert.True(badHistory.IsError);
        Assert.Contains("'history[0].role' must be", Text(badHistory));

        // The session is intact after the errors.
        var collections = Structured(await client.CallToolAsync("list_collections"));
        Assert.Equal(["demo", "recipes"], collections.GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_key_may_come_as_X_Api_Key_and_without_a_valid_key_the_endpoint_refuses_to_connect()
    {
        await using var chat = await ChatbotHost.StartAsync(withLlm: false);

        await using (var viaHeader = await ConnectAsync(chat, chat.WriterKey, "X-Api-Key"))
        {
            Assert.Contains("add_document", (await viaHeader.ListToolsAsync()).Select(t => t.Name));
        }

        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(chat, "not-a-key-of-this-service"));
        using var anonymous = chat.Host.CreateClient(null);
        var response = await anonymous.PostAsJsonAsync("/mcp", new { jsonrpc = "2.0", id = 1, method = "tools/list" });
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
