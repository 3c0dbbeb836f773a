using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Vectors;

/// <summary>
/// Rag:Vectors:Quantization through the real service: an int8 index answers dense search, is written to its snapshot
/// on stop and loaded on the next start; starting with the other setting rebuilds and the collection's stats say why;
/// a wrong value stops the start naming the setting.
/// </summary>
public sealed class QuantizedVectorsTests
{
    private static readonly (string Id, string Text)[] Documents =
    [
        ("apple", "苹果是红色的水果，甜，维生素丰富。"),
        ("oven", "The oven reaches 450 degrees in twenty minutes and must be cleaned weekly."),
        ("river", "The river floods in spring when the snow on the mountains melts."),
        ("tea", "绿茶需要用八十度的水冲泡，时间不宜过长。"),
    ];

    [Fact]
    public async Task An_int8_index_survives_a_restart_and_switching_the_setting_rebuilds_it()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ragsvc-int8-" + Guid.NewGuid().ToString("N")[..12]);
        var database = Path.Combine(directory, "rag.db");
        string[] settings = [.. TestModelDirectories.ServiceArguments(), $"--Rag:DatabasePath={database}"];
        string[] int8 = [.. settings, "--Rag:Vectors:Quantization=int8"];
        var query = new { query = Documents[2].Text, mode = "dense", rerank = false };
        try
        {
            List<string> before;
            await using (var first = await ServiceHost.StartAsync(int8))
            {
                await first.CreateCollectionAsync("kb", new { name = "kb", contextualHeaders = false });
                foreach (var (id, text) in Documents)
                {
                    await first.IngestAsync("kb", new { id, text });
                }

                before = DocumentIds(await SearchAsync(first, query));
                Assert.Equal("river", before[0]);
                Assert.StartsWith("rebuilt: missing", await VectorLoadVerdictAsync(first));
            }

            await using (var restarted = await ServiceHost.StartAsync(int8))
            {
                Assert.Equal(before, DocumentIds(await SearchAsync(restarted, query)));
                Assert.Equal("loaded", await VectorLoadVerdictAsync(restarted));
            }

            await using var floats = await ServiceHost.StartAsync(settings);
            Assert.Equal(before, DocumentIds(await SearchAsync(floats, query)));
            Assert.Equal("rebuilt: incompatible (snapshot vectors are int8, Rag:Vectors:Quantization is none (float32))", await VectorLoadVerdictAsync(floats));
        }
        finally
        {
            SqliteStorePool.Release(database);
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("--Rag:Vectors:Quantization=int4", "Rag:Vectors:Quantization must be 'none' or 'int8', not 'int4'.")]
    [InlineData("--Rag:Vectors:RescoreFactor=0", "Rag:Vectors:RescoreFactor must be a whole number within 1..100, not '0'.")]
    public async Task A_wrong_setting_stops_the_start_naming_it(string setting, string message)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServiceHost.StartAsync(setting));
        Assert.Equal(message, error.Message);
    }

    private static async Task<JsonElement> SearchAsync(ServiceHost host, object body)
    {
        var response = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<string> DocumentIds(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).ToList();

    private static async Task<string> VectorLoadVerdictAsync(ServiceHost host) =>
        (await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb")).GetProperty("vectorIndex").GetProperty("load").GetString()!;
}
