using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Hosting;

/// <summary>
/// The runtime settings an operator relies on: the service and the rag CLI ship with .NET dynamic PGO off (their
/// runtimeconfig.json, which DOTNET_TieredPGO=1 overrides), and Rag:Embedding:IntraOpSpinning /
/// Rag:Reranker:IntraOpSpinning take true or false and stop the start with the setting's name otherwise.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Theory]
    [InlineData("RagService.Api.runtimeconfig.json")]
    [InlineData("rag.runtimeconfig.json")]
    public void The_service_and_the_cli_ship_with_dynamic_pgo_off(string runtimeConfig)
    {
        // Copied beside the tests from the projects' build output, as the build and dotnet publish write it.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, runtimeConfig)));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.TryGetProperty("System.Runtime.TieredPGO", out var pgo), $"{runtimeConfig} does not set System.Runtime.TieredPGO");
        Assert.Equal(JsonValueKind.False, pgo.ValueKind);
    }

    [Theory]
    [InlineData("Rag:Embedding:IntraOpSpinning")]
    [InlineData("Rag:Reranker:IntraOpSpinning")]
    public async Task A_value_other_than_true_or_false_stops_the_start_naming_the_setting(string setting)
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceHost.StartAsync($"--{setting}=sometimes"));
        Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task True_and_false_are_accepted_and_the_embedder_serves(string value)
    {
        await using var host = await ServiceHost.StartAsync($"--Rag:Embedding:ModelDirectory={TestModelDirectories.Embedder}",
            "--Rag:Embedding:MaxSequenceLength=64", $"--Rag:Embedding:IntraOpSpinning={value}");
        var ready = await host.Client.GetFromJsonAsync<JsonElement>("/health/ready");
        var dense = ready.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "dense");
        Assert.Equal("on", dense.GetProperty("state").GetString());
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "a", text = "苹果是红色的水果" });
        Assert.Single(ServiceHost.HitTexts(await host.SearchAsync("kb", "苹果", mode: "dense")));
    }
}
