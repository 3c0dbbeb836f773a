using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RagService.Api.Tests.Context;

/// <summary>
/// The ask response's sources are the prompt's: touching hits merged with their overlap once, numbered as cited, within
/// the configured budget (no embedding model: characters / 4, which the test recounts itself).
/// </summary>
public sealed class AskContextTests : IAsyncLifetime
{
    private const int Budget = 50;

    // Chunks of at most 72 characters repeat their last sentence (at most 35) at the start of the next one.
    private static readonly string[] Sentences =
    [
        "The X100 oven heats to 250 C.", "Error E1 means the oven is cold.", "Error E2 means the door is open.", "Error E3 means the fan is stuck.",
        "Error E4 means the probe is loose.", "Cleaning takes about ten minutes.", "The warranty lasts two full years.", "Spare parts ship within one week.",
    ];

    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync($"--Rag:Context:BudgetTokens={Budget}");
        await _host.CreateCollectionAsync("oven", new { name = "oven", chunkSize = 72, chunkOverlap = 35, contextualHeaders = false });
        await _host.IngestAsync("oven", new { id = "x100.txt", title = "X100 manual", text = string.Join(" ", Sentences) });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> AskAsync(string question, int topK)
    {
        var response = await _host.Client.PostAsJsonAsync("/v1/collections/oven/ask", new { question, topK });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string SourcesBlock(JsonElement ask)
    {
        var user = ask.GetProperty("prompt").GetProperty("user").GetString()!;
        return user[user.IndexOf("<sources>", StringComparison.Ordinal)..user.IndexOf("</sources>", StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Touching_hits_become_one_cited_source_with_each_sentence_once()
    {
        var ask = await AskAsync("What does error E2 mean?", topK: 3);
        var sources = ask.GetProperty("sources").EnumerateArray().ToList();
        var block = SourcesBlock(ask);

        // Every sentence of the document at most once in what the LLM reads, although the chunks repeat them.
        Assert.All(Sentences, s => Assert.InRange(Regex.Count(block, Regex.Escape(s)), 0, 1));

        // The two chunks holding the E2 sentence rank first and touch: one source, numbered [1], listing both hits.
        var first = sources[0];
        Assert.Contains(Sentences[2], first.GetProperty("text").GetString());
        var context = first.GetProperty("context");
        Assert.Equal(1, context.GetProperty("number").GetInt32());
        Assert.True(context.GetProperty("merged").GetBoolean());
        Assert.Equal([1, 2], context.GetProperty("hitRanks").EnumerateArray().Select(r => r.GetInt32()).Take(2));

        // Numbers as cited: source n's text is the body of <source id="n">.
        for (var n = 1; n <= sources.Count; n++)
        {
            Assert.Equal(n, sources[n - 1].GetProperty("context").GetProperty("number").GetInt32());
            Assert.Matches($"<source id=\"{n}\" title=\"X100 manual\"[^>]*>\n{Regex.Escape(sources[n - 1].GetProperty("text").GetString()!)}\n</source>",
                block.Replace("\r", "", StringComparison.Ordinal));
        }

        var stage = ask.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "context");
        Assert.Equal("ok", stage.GetProperty("status").GetString());
        Assert.Equal(sources.Count, stage.GetProperty("candidates").GetInt32());
    }

    [Fact]
    public async Task The_sources_stay_within_the_configured_budget_and_say_which_hits_did_not_fit()
    {
        // Seven chunks, the whole document: about 67 tokens at characters / 4, more than the budget of 50.
        var ask = await AskAsync("error oven door fan probe warranty parts cleaning", topK: 7);
        var texts = ask.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("text").GetString()!).ToList();
        var recounted = texts.Sum(t => (t.Length + 3) / 4);

        Assert.InRange(recounted, 1, Budget);
        var context = ask.GetProperty("context");
        Assert.Equal(recounted, context.GetProperty("tokens").GetInt32());
        Assert.Equal(Budget, context.GetProperty("budgetTokens").GetInt32());
        Assert.Equal("characters / 4", context.GetProperty("counter").GetString());
        Assert.NotEmpty(context.GetProperty("leftOutHitRanks").EnumerateArray());
    }

    [Fact]
    public async Task A_budget_below_the_minimum_stops_the_service_at_start_naming_the_setting()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => ServiceHost.StartAsync("--Rag:Context:BudgetTokens=10"));
        Assert.Contains("Rag:Context:BudgetTokens", e.Message);
    }
}
