using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>
/// English retrieval over REST with the real all-MiniLM-L6-v2 (deploy/setup.sh extracts it into .models/): dense
/// retrieval finds a paraphrase that shares no word with the query, which BM25 cannot, and hybrid returns it together
/// with the passage that only an exact keyword (a product code) finds.
/// </summary>
public sealed class RealModelRetrievalTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    private static readonly (string Id, string Text)[] Documents =
    [
        ("paraphrase", "The physician recommended that the patient stay in bed and drink plenty of water."),
        ("keyword", "Error code XYZ-123 means the oven door sensor is faulty."),
        ("markets", "The stock market fell sharply on Monday after the central bank raised interest rates."),
        ("menu", "Our pizza menu includes margherita, pepperoni and four cheese."),
        ("train", "The train to the airport leaves every fifteen minutes from platform two."),
        ("plants", "Photosynthesis converts sunlight, water and carbon dioxide into sugar."),
    ];

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync($"--Rag:Embedding:ModelDirectory={RealMiniLmDirectory()}", "--Rag:Embedding:IntraOpThreads=2");
        await _host.CreateCollectionAsync("en", new { name = "en", contextualHeaders = false });
        foreach (var (id, text) in Documents)
        {
            await _host.IngestAsync("en", new { id, text });
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Dense_finds_the_paraphrase_bm25_misses_and_hybrid_returns_it_with_the_keyword_passage()
    {
        const string paraphraseQuery = "doctor's advice when ill";
        var bm25 = await SearchAsync(paraphraseQuery, "bm25", topK: 5);
        Assert.DoesNotContain("paraphrase", DocumentIds(bm25));

        var dense = await SearchAsync(paraphraseQuery, "dense", topK: 5);
        Assert.Equal("paraphrase", DocumentIds(dense)[0]);
        var denseStage = dense.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "dense");
        Assert.Equal("all-MiniLM-L6-v2 on cpu", denseStage.GetProperty("detail").GetString());

        var hybrid = await SearchAsync(paraphraseQuery + " XYZ-123", "hybrid", topK: 2);
        Assert.Equal(["keyword", "paraphrase"], DocumentIds(hybrid).Order(StringComparer.Ordinal));
        var keywordOnly = await SearchAsync("XYZ-123", "bm25", topK: 5);
        Assert.Equal(["keyword"], DocumentIds(keywordOnly));
    }

    private async Task<JsonElement> SearchAsync(string query, string mode, int topK)
    {
        var response = await _host.Client.PostAsJsonAsync("/v1/collections/en/search", new { query, mode, topK });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string> DocumentIds(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).ToList();

    /// <summary>&lt;repo&gt;/.models/all-MiniLM-L6-v2, found from the test binaries' directory.</summary>
    internal static string RealMiniLmDirectory()
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "RagService.sln")))
        {
            repository = repository.Parent;
        }

        var model = Path.Combine(repository?.FullName ?? ".", ".models", "all-MiniLM-L6-v2");
        return File.Exists(Path.Combine(model, "model.onnx"))
            ? model
            : throw new InvalidOperationException($"{model} is missing: run deploy/setup.sh (./test.sh does) first.");
    }
}

/// <summary>A configured model that cannot load: BM25-only unless Rag:Embedding:Required says otherwise.</summary>
public sealed class BrokenModelStartTests
{
    [Fact]
    public async Task Service_starts_bm25_only_when_the_model_is_not_required()
    {
        await using var host = await ServiceHost.StartAsync("--Rag:Embedding:ModelDirectory=/nonexistent/model", "--Rag:Embedding:Required=false");
        // A failed model degrades the service (200 "degraded", the reason in the component); it still serves BM25.
        var response = await host.Client.GetAsync("/health/ready");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var ready = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("degraded", ready.GetProperty("status").GetString());
        var dense = ready.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "dense");
        Assert.Equal("failed", dense.GetProperty("state").GetString());
        Assert.Contains("Model directory not found: /nonexistent/model", dense.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "a", text = "Error code XYZ-123 means the oven door sensor is faulty." });
        Assert.Single(ServiceHost.HitTexts(await host.SearchAsync("kb", "XYZ-123", mode: "bm25")));
    }

    [Fact]
    public async Task Service_refuses_to_start_when_the_model_is_required()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServiceHost.StartAsync("--Rag:Embedding:ModelDirectory=/nonexistent/model", "--Rag:Embedding:Required=true"));
        Assert.Contains("Rag:Embedding:Required is true", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/model", ex.Message, StringComparison.Ordinal);
    }
}
