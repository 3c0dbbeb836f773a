using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;
using RagService.Api.Tests.Sync;
using RagService.Extraction.Tests.Fixtures;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Hardening;

/// <summary>
/// The service as its own process, fed generated hostile files with extraction isolated in worker processes (the
/// default): after each it still answers health and takes an ordinary upload, each hostile file gets its 4xx or is
/// indexed, and the service's own peak RSS stays under <see cref="PeakRssBound"/>.
/// </summary>
public sealed class HostileUploadTests(ITestOutputHelper output)
{
    /// <summary>
    /// The service process's peak resident set (VmHWM) over all the hostile files. The service itself idles near 150 MiB
    /// here; in process, the 1 GiB Flate bomb alone took it past 2.5 GiB.
    /// </summary>
    private const long PeakRssBound = 600L << 20;

    private sealed record Hostile(string Name, Func<byte[]> Make, int[] Statuses, string? Says = null);

    private static readonly Hostile[] Files =
    [
        new("xref-w.pdf", HostileFiles.PdfWithOverflowingXrefStreamWidths, [201, 422]),
        new("deep.docx", () => HostileFiles.DocxNested(100_000), [422], "crashed: stack overflow"),
        new("deep.html", () => HostileFiles.HtmlNested(100_000), [201, 422]),
        new("deep.pdf", () => HostileFiles.PdfNested(100_000), [201, 422]),
        new("bomb.pdf", () => HostileFiles.PdfFlateBomb(1L << 30), [422], "ran out of its 1 GiB memory limit on this file"),
        new("long.pdf", () => HostileFiles.PdfManyPages(2000), [201, 413]),
        new("giant.png", () => HostileFiles.PngHeader(100_000, 100_000), [413]),
        new("giant.jpg", () => HostileFiles.JpegHeader(65_000, 65_000), [413]),
        new("giant.tif", () => HostileFiles.TiffHeader(60_000, 60_000), [413, 422]),
        new("bomb-honest.docx", () => HostileFiles.DocxZipBomb(300L << 20, lyingSizes: false), [413]),
        // .NET's zip reader stops at the declared size, so the parser meets a cut-off XML part: refused as damaged.
        new("bomb-lying.docx", () => HostileFiles.DocxZipBomb(300L << 20, lyingSizes: true), [413, 422]),
    ];

    [Fact]
    public async Task The_service_survives_every_hostile_upload_and_stays_under_its_memory_bound()
    {
        var folder = Directory.CreateTempSubdirectory("rag-hostile-").FullName;
        try
        {
            await using var service = await ServiceProcess.StartAsync(Path.Combine(folder, "rag.db"));
            using var client = PatientClient(service.Client.BaseAddress!);
            var created = await client.PostAsJsonAsync("/v1/collections", new { name = "inbox" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            var failures = new List<string>();
            var ordinary = 0;
            foreach (var file in Files)
            {
                var bytes = file.Make();
                var response = await UploadAsync(client, bytes, file.Name);
                var body = await response.Content.ReadAsStringAsync();
                if (!file.Statuses.Contains((int)response.StatusCode) || (file.Says is not null && !body.Contains(file.Says, StringComparison.Ordinal)))
                {
                    failures.Add($"{file.Name}: {(int)response.StatusCode} {body}");
                }

                if ((int)response.StatusCode is 422 or 413 && file.Says is not null)
                {
                    // Every refusal is logged as a Warning with the file's SHA-256, size and extractor.
                    var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
                    var logged = await service.OutputLineAsync(l => l.Contains(sha, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
                    Assert.True(logged is not null && logged.Contains("WRN", StringComparison.Ordinal) && logged.Contains($"{bytes.Length} bytes", StringComparison.Ordinal),
                        $"no warning with the SHA-256 of {file.Name}: {logged}");
                }

                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
                var next = await UploadAsync(client, Encoding.UTF8.GetBytes($"Ordinary note {ordinary}: pumps need oil every 300 hours."), $"note-{ordinary++}.txt");
                Assert.True(next.StatusCode == HttpStatusCode.Created, $"after {file.Name}: {(int)next.StatusCode} {await next.Content.ReadAsStringAsync()}");
            }

            var peak = PeakResidentBytes(service.ProcessId);
            output.WriteLine($"service peak RSS (VmHWM): {peak >> 20} MiB");
            Assert.True(peak < PeakRssBound, $"the service's peak RSS was {peak >> 20} MiB; the bound is {PeakRssBound >> 20} MiB");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_sync_job_records_why_the_worker_refused_a_file_and_ingests_the_rest()
    {
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync("handbook");
        var archive = TestArchives.Zip(zip =>
        {
            TestArchives.AddZipEntry(zip, "deep.docx", HostileFiles.DocxNested(100_000));
            TestArchives.AddZipEntry(zip, "oil.md", Encoding.UTF8.GetBytes("# Oil\n\nPumps need oil every 300 hours."));
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/handbook/sync?prune=false") { Content = TestArchives.Body(archive) };
        using var client = PatientClient(host.Client.BaseAddress!);
        var response = await client.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, json.ToString());
        var job = response.StatusCode == HttpStatusCode.OK ? json : await WaitAsync(client, json.GetProperty("id").GetString()!);

        Assert.Equal(["oil.md"], Paths(job, "added"));
        var failed = job.GetProperty("failed").EnumerateArray().Single();
        Assert.Equal("deep.docx", failed.GetProperty("path").GetString());
        Assert.Contains("crashed: stack overflow", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    // 100 000 nested content controls take OpenXml a minute or more of parsing before the stack overflows.
    private static HttpClient PatientClient(Uri service)
    {
        var client = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ServiceHost.BootstrapKey);
        return client;
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] content, string fileName)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", fileName);
        return await client.PostAsync("/v1/collections/inbox/documents/upload", form);
    }

    private static long PeakResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
