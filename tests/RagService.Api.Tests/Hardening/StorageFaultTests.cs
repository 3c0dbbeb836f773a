using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Models;
using static RagService.Api.Tests.Hardening.ProblemAssertions;

namespace RagService.Api.Tests.Hardening;

/// <summary>Defect 8: storage faults degrade to answers that still can be given, clear 503s and an unready probe, never 500s or crashes.</summary>
public sealed class StorageFaultTests
{
    [Fact]
    public async Task Vector_snapshot_path_that_is_a_file_degrades_hybrid_to_bm25_and_readiness_says_failed()
    {
        var embedder = new GatedEmbedder();
        await using var host = await ServiceHost.StartAsync(b =>
        {
            b.Services.AddSingleton<ITextEmbedder>(embedder);
            File.WriteAllText(b.Configuration["Rag:DatabasePath"] + ".vectors", "a file where the snapshot folder should be");
        });
        await host.CreateCollectionAsync("kb");
        await host.IngestAsync("kb", new { id = "oven", text = "The oven reaches 450 degrees in twenty minutes." });

        var response = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "oven degrees", mode = "hybrid" });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var search = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("450 degrees", ServiceHost.HitTexts(search)[0], StringComparison.Ordinal);
        var dense = search.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "dense");
        Assert.Equal("failed", dense.GetProperty("status").GetString());

        var denseOnly = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "oven degrees", mode = "dense" });
        await AssertProblemAsync(denseOnly, HttpStatusCode.ServiceUnavailable, "vector");

        var ready = await host.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var components = (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("components").EnumerateArray();
        Assert.Contains(components, c => c.GetProperty("state").GetString() == "failed" && c.GetProperty("detail").GetString()!.Contains("snapshot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Read_only_data_folder_starts_unready_refuses_writes_with_503_and_shuts_down_cleanly()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ragsvc-ro-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        var db = $"--Rag:DatabasePath={Path.Combine(dir, "rag.db")}";
        try
        {
            await using (var first = await ServiceHost.StartAsync(db))
            {
                await first.CreateCollectionAsync("kb");
                await first.IngestAsync("kb", new { id = "a", text = "Written while the folder was writable." });
            }

            // Root ignores permission bits; the immutable attribute stops even root from creating or changing files.
            Chattr("+i", dir);
            foreach (var file in Directory.GetFiles(dir))
            {
                Chattr("+i", file);
            }

            var host = await ServiceHost.StartAsync(db);
            var ready = await host.Client.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("writ", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var write = await host.Client.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "b", text = "refused" });
            await AssertProblemAsync(write, HttpStatusCode.ServiceUnavailable, "data folder");
            var create = await host.Client.PostAsJsonAsync("/v1/collections", new { name = "other" });
            await AssertProblemAsync(create, HttpStatusCode.ServiceUnavailable, "data folder");

            var search = await host.Client.PostAsJsonAsync("/v1/collections/kb/search", new { query = "writable" });
            Assert.True(search.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"search: {(int)search.StatusCode} {await search.Content.ReadAsStringAsync()}");
            await host.DisposeAsync();
        }
        finally
        {
            foreach (var file in Directory.GetFiles(dir))
            {
                Chattr("-i", file);
            }

            Chattr("-i", dir);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Chattr(string flag, string path)
    {
        using var process = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"chattr {flag} {path}: {error}");
    }
}
