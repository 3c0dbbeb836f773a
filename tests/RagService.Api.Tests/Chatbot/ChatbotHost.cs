using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Tests.Auth;

namespace RagService.Api.Tests.Chatbot;

/// <summary>
/// The service on Kestrel with the demo knowledge base, the fake LLM behind it, two more collections ("recipes" in the
/// reader's scope, "secret" outside it) and keys: a reader scoped to demo + recipes, a writer scoped to demo.
/// </summary>
internal sealed class ChatbotHost : IAsyncDisposable
{
    public const string Question = "你们现在最便宜的披萨是什么？";
    public const string Reply = "最便宜的是 芝士多多披萨， 26元 [1]。";
    public const string PizzaQuestion = "超级至尊披萨里有什么料？";
    public const string PizzaAnswer = "牛肉、培根、香肠、蘑菇、青椒和黑橄榄 [1]。";
    public const string FollowUp = "它多少钱？";

    /// <summary>What the fake LLM's rewrite of the follow-up says: unrelated to pizza, so only retrieval on it finds the membership gift.</summary>
    public const string Rewrite = "加入会员送的饮料是什么？";

    private ChatbotHost(FakeLlmServer? llm, ServiceHost host, string readerKey, string writerKey)
    {
        Llm = llm;
        Host = host;
        ReaderKey = readerKey;
        WriterKey = writerKey;
    }

    public FakeLlmServer? Llm { get; }

    public ServiceHost Host { get; }

    /// <summary>Reader, scoped to demo and recipes.</summary>
    public string ReaderKey { get; }

    /// <summary>Writer, scoped to demo.</summary>
    public string WriterKey { get; }

    public Uri BaseAddress => Host.Client.BaseAddress!;

    public string BaseUrl => BaseAddress.ToString().TrimEnd('/');

    public static async Task<ChatbotHost> StartAsync(bool withLlm = true)
    {
        var llm = withLlm ? await FakeLlmServer.StartAsync() : null;
        if (llm is not null)
        {
            llm.Reply = Reply;
            llm.Script = body => ConversationTests.IsRewrite(body) ? new FakeLlmServer.ScriptedReply(Reply: Rewrite) : null;
        }

        var settings = new List<string> { "--Rag:Demo=true" };
        if (llm is not null)
        {
            settings.AddRange([$"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0"]);
        }

        var host = await ServiceHost.StartAsync(settings.ToArray());
        await host.CreateCollectionAsync("recipes");
        await host.IngestAsync("recipes", new { id = "soup", title = "番茄汤", text = "番茄汤需要番茄、鸡蛋和葱花，煮十分钟。" });
        await host.CreateCollectionAsync("secret");
        await host.IngestAsync("secret", new { id = "plan", title = "Secret plan", text = "The secret pizza costs 99 yuan." });
        var reader = await Keys.CreateAsync(host.Client, "chatbot-reader", "reader", ["demo", "recipes"]);
        var writer = await Keys.CreateAsync(host.Client, "chatbot-writer", "writer", ["demo"]);
        return new ChatbotHost(llm, host, reader.Key, writer.Key);
    }

    /// <summary>The answer requests the fake LLM received (not the rewrites).</summary>
    public IReadOnlyList<JsonElement> AnswerRequests => Llm!.Requests.Where(b => !ConversationTests.IsRewrite(b)).ToList();

    /// <summary>The oracle for retrieval: the REST ask route's sources (chunk ids) for the same question and history.</summary>
    public async Task<List<long>> AskSourcesAsync(string question, object[]? history = null)
    {
        var response = await Host.Client.PostAsJsonAsync("/v1/collections/demo/ask", new { question, history });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ChunkIds(body.GetProperty("sources"));
    }

    public async Task<List<long>> SearchChunkIdsAsync(string query) => ChunkIds((await Host.SearchAsync("demo", query)).GetProperty("hits"));

    public static List<long> ChunkIds(JsonElement sources) => sources.EnumerateArray().Select(s => s.GetProperty("chunkId").GetInt64()).ToList();

    /// <summary>The retrieved hits inside an answer's sources (a source may merge several), in rank order: what a search for the same question returns.</summary>
    public static List<long> HitChunkIds(JsonElement sources) => sources.EnumerateArray()
        .Select(s => s.GetProperty("context"))
        .SelectMany(c => c.GetProperty("hitRanks").EnumerateArray().Zip(c.GetProperty("hitChunkIds").EnumerateArray(), (r, id) => (Rank: r.GetInt32(), Id: id.GetInt64())))
        .OrderBy(h => h.Rank).Select(h => h.Id).ToList();

    public static object[] PizzaHistory =>
    [
        new { role = "user", content = PizzaQuestion },
        new { role = "assistant", content = PizzaAnswer },
    ];

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        if (Llm is not null)
        {
            await Llm.DisposeAsync();
        }
    }
}
