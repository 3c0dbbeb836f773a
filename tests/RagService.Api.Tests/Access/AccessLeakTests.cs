using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using RagService.Api.Tests.Auth;

namespace RagService.Api.Tests.Access;

/// <summary>
/// The leak table of issue 28, over real HTTP: for each engine (memory BM25, Lucene BM25, embedded HNSW dense), each
/// caller (no principal, a user, a group, a delegated user, a token user, admin) reads through every route that
/// returns or counts content, over documents in every access state (open, restricted, restricted then opened, opened
/// then restricted). A leak is any trace of a document the caller may not read: its marker word (in its title and
/// text: a hit, candidate, source, prompt, snippet, chunk or title), its id among a sync plan's stored documents, or a
/// count that includes it. The expected visibility is written by hand from the access lists below; admin reading
/// every marker is the positive control that shows each check can see a leak.
/// </summary>
public sealed class AccessLeakTests
{
    private const string Collection = "kb";
    private const string Query = "水果价格便宜";

    /// <summary>The documents under test: id, marker word, and the visibility each caller expects (see <see cref="Callers"/>).</summary>
    private static readonly (string Id, string Marker)[] Documents =
    [
        ("open", "zqxopenmark"),           // no list: the collection (open) shows it to every reader
        ("restricted", "zqxhrmark"),       // group:hr
        ("reopened", "zqxreopenmark"),     // group:finance, then its list removed: open
        ("reclosed", "zqxreclosedmark"),   // no list, then user:alice@corp.example
    ];

    /// <summary>Unrelated open documents, so that the query's terms are specific (the lexical floor) and lists have more than the four.</summary>
    private const int Fillers = 4;

    private static readonly Dictionary<string, string[]> Visible = new()
    {
        ["no principal"] = ["open", "reopened"],
        ["user"] = ["open", "reopened", "reclosed"],
        ["group"] = ["open", "reopened", "restricted"],
        ["delegated user"] = ["open", "reopened", "reclosed"],
        ["token user"] = ["open", "reopened", "restricted"], // email carol@corp.example, groups [hr]
        ["admin"] = ["open", "reopened", "restricted", "reclosed"],
    };

    public static TheoryData<string> Engines => new() { "memory", "lucene", "hnsw" };

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task No_caller_sees_any_trace_of_a_document_it_may_not_read(string engine)
    {
        await using var llm = await FakeLlmServer.StartAsync();
        await using var issuer = await LocalIssuer.StartAsync();
        string[] settings = engine == "hnsw"
            ? [.. TestModelDirectories.ServiceArguments(), "--Rag:Bm25Engine=memory", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0", .. issuer.ServiceArguments()]
            : [$"--Rag:Bm25Engine={engine}", $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0", .. issuer.ServiceArguments()];
        settings = [.. settings, "--Rag:Auth:Jwt:Role=writer"]; // the token user also plans syncs
        await using var host = await ServiceHost.StartAsync(settings);
        await WriteDocumentsAsync(host);
        var mode = engine == "hnsw" ? "dense" : "bm25";

        foreach (var (name, client, mcpHeaders) in await CallersAsync(host, issuer))
        {
            var visible = Visible[name];
            var hidden = Documents.Where(d => !visible.Contains(d.Id)).ToList();
            var context = $"{engine} / {name}";
            llm.Requests.Clear();

            // search (with explain: every candidate of every stage) returns every visible document and nothing hidden
            var search = await ReadAsync(await client.PostAsJsonAsync($"/v1/collections/{Collection}/search",
                new { query = Query, topK = 10, mode, explain = true }), context);
            AssertNoTrace(search, hidden, context + " search");
            var hits = JsonDocument.Parse(search).RootElement.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()).ToHashSet();
            Assert.True(visible.All(hits.Contains), $"{context}: search should find every visible document, found {string.Join(",", hits)}");

            // ask: sources and prompt; the LLM hears nothing hidden either; then with history (the rewrite)
            AssertNoTrace(await ReadAsync(await client.PostAsJsonAsync($"/v1/collections/{Collection}/ask", new { question = Query, topK = 10, mode }), context),
                hidden, context + " ask");
            AssertNoTrace(await ReadAsync(await client.PostAsJsonAsync($"/v1/collections/{Collection}/ask", new
            {
                question = "它多少钱？", topK = 10, mode, history = new[] { new { role = "user", content = Query }, new { role = "assistant", content = "水果" } },
            }), context), hidden, context + " ask with history");
            AssertNoTrace(await ReadAsync(await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                model = Collection, messages = new[] { new { role = "user", content = Query } },
            }), context), hidden, context + " chat completions");
            AssertNoTrace(string.Join("\n", llm.Requests.Select(r => r.GetRawText())), hidden, context + " what the LLM received");

            // document routes: the list, each document and its chunks (hidden ones answer exactly like missing ones)
            var list = await ReadAsync(await client.GetAsync($"/v1/collections/{Collection}/documents?limit=100"), context);
            AssertNoTrace(list, hidden, context + " document list");
            Assert.Equal(visible.Length + Fillers, JsonDocument.Parse(list).RootElement.GetArrayLength());
            foreach (var (id, marker) in Documents)
            {
                var document = await client.GetAsync($"/v1/collections/{Collection}/documents/{id}");
                var chunks = await client.GetAsync($"/v1/collections/{Collection}/chunks?documentId={id}");
                var missing = await client.GetAsync($"/v1/collections/{Collection}/documents/no-such-{id}");
                var expected = visible.Contains(id) ? HttpStatusCode.OK : HttpStatusCode.NotFound;
                Assert.Equal((expected, expected), (document.StatusCode, chunks.StatusCode));
                var bodies = await document.Content.ReadAsStringAsync() + await chunks.Content.ReadAsStringAsync();
                Assert.True(visible.Contains(id) == bodies.Contains(marker, StringComparison.Ordinal), $"{context}: document {id}");
                if (!visible.Contains(id))
                {
                    Assert.Equal(Detail(await missing.Content.ReadAsStringAsync()).Replace("no-such-", "", StringComparison.Ordinal),
                        Detail(await document.Content.ReadAsStringAsync()));
                }
            }

            // counts: the collection's stats and its indexes count only what the caller may read
            var stats = JsonDocument.Parse(await ReadAsync(await client.GetAsync($"/v1/collections/{Collection}"), context)).RootElement;
            Assert.Equal((visible.Length + Fillers, visible.Length + Fillers, (long)visible.Length + Fillers),
                (stats.GetProperty("documents").GetInt32(), stats.GetProperty("chunks").GetInt32(), stats.GetProperty("bm25").GetProperty("entries").GetInt64()));

            // a sync plan treats hidden documents as absent: never "updated", never counted unchanged
            var plan = JsonDocument.Parse(await ReadAsync(await client.PostAsJsonAsync($"/v1/collections/{Collection}/sync/plan", new
            {
                files = Documents.Select(d => new { path = d.Id, sha256 = new string('0', 64) }),
            }), context)).RootElement;
            Assert.Equal(visible.Order(), plan.GetProperty("updated").EnumerateArray().Select(e => e.GetString()!).Order());
            Assert.Equal(hidden.Select(h => h.Id).Order(), plan.GetProperty("added").EnumerateArray().Select(e => e.GetString()!).Order());

            // MCP: search, document reads and the collection counts through the official client
            await using var mcp = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(host.Client.BaseAddress!, "mcp"), TransportMode = HttpTransportMode.StreamableHttp, AdditionalHeaders = mcpHeaders,
            }));
            var mcpSearch = await mcp.CallToolAsync("search", new Dictionary<string, object?> { ["collection"] = Collection, ["query"] = Query, ["topK"] = 10 });
            AssertNoTrace(JsonSerializer.Serialize(mcpSearch), hidden, context + " mcp search");
            foreach (var (id, _) in Documents)
            {
                var read = await mcp.CallToolAsync("get_document", new Dictionary<string, object?> { ["collection"] = Collection, ["documentId"] = id });
                Assert.True(visible.Contains(id) == (read.IsError != true), $"{context}: mcp get_document {id}");
                AssertNoTrace(JsonSerializer.Serialize(read), hidden, context + " mcp get_document");
            }

            var listed = JsonSerializer.SerializeToElement((await mcp.CallToolAsync("list_collections", new Dictionary<string, object?>())).StructuredContent);
            Assert.Equal(visible.Length + Fillers, listed.GetProperty("collections")[0].GetProperty("documents").GetInt32());
        }
    }

    private static async Task WriteDocumentsAsync(ServiceHost host)
    {
        await host.CreateCollectionAsync(Collection);
        string[] fruits = ["苹果", "香蕉", "橙子", "葡萄"];
        var access = new Dictionary<string, string[]?> { ["open"] = null, ["restricted"] = ["group:hr"], ["reopened"] = ["group:finance"], ["reclosed"] = null };
        for (var i = 0; i < Documents.Length; i++)
        {
            var (id, marker) = Documents[i];
            await host.IngestAsync(Collection, new { id, title = $"Title {marker}", text = $"{marker} {fruits[i]}水果价格便宜，每斤{i + 3}元。", access = access[id] });
        }

        for (var i = 0; i < Fillers; i++)
        {
            await host.IngestAsync(Collection, new { id = $"filler-{i}", text = $"手机屏幕电池温度传感器 filler{i}" });
        }

        await PutAccessAsync(host, "reopened", null);
        await PutAccessAsync(host, "reclosed", ["user:alice@corp.example"]);
    }

    private static async Task PutAccessAsync(ServiceHost host, string id, string[]? access)
    {
        var response = await host.Client.PutAsJsonAsync($"/v1/collections/{Collection}/documents/{id}/access", new { access });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Each caller with its REST client and the headers its MCP client sends.</summary>
    private static async Task<List<(string Name, HttpClient Client, Dictionary<string, string> Mcp)>> CallersAsync(ServiceHost host, LocalIssuer issuer)
    {
        async Task<string> KeyAsync(object body)
        {
            var response = await host.Client.PostAsJsonAsync("/v1/keys", body);
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        }

        var none = await KeyAsync(new { client = "nobody", role = "writer" });
        var user = await KeyAsync(new { client = "alice-app", role = "writer", principals = new[] { "user:alice@corp.example" } });
        var group = await KeyAsync(new { client = "hr-app", role = "writer", principals = new[] { "group:hr" } });
        var bot = await KeyAsync(new { client = "chatbot", role = "writer", principals = new[] { "group:hr" }, delegateWithin = new[] { "user:*@corp.example" } });
        var delegated = host.CreateClient(bot);
        delegated.DefaultRequestHeaders.Add("X-Rag-On-Behalf-Of", "user:alice@corp.example");
        var token = issuer.Token("carol@corp.example", ["hr"]);
        var tokenUser = host.CreateClient(null);
        tokenUser.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return
        [
            ("no principal", host.CreateClient(none), new() { ["X-Api-Key"] = none }),
            ("user", host.CreateClient(user), new() { ["X-Api-Key"] = user }),
            ("group", host.CreateClient(group), new() { ["X-Api-Key"] = group }),
            ("delegated user", delegated, new() { ["X-Api-Key"] = bot, ["X-Rag-On-Behalf-Of"] = "user:alice@corp.example" }),
            ("token user", tokenUser, new() { ["Authorization"] = "Bearer " + token }),
            ("admin", host.Client, new() { ["X-Api-Key"] = ServiceHost.BootstrapKey }),
        ];
    }

    private static async Task<string> ReadAsync(HttpResponseMessage response, string context)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{context}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static void AssertNoTrace(string body, IEnumerable<(string Id, string Marker)> hidden, string where)
    {
        foreach (var (id, marker) in hidden)
        {
            Assert.False(body.Contains(marker, StringComparison.OrdinalIgnoreCase), $"{where}: leaks document '{id}' ({marker}): {body[..Math.Min(body.Length, 2000)]}");
        }
    }

    private static string Detail(string problem) => JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString()!;
}
