using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RagService.Api.Tests.Sync;
using RagService.Extraction.Tests.Fixtures;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Hardening;

/// <summary>An upload or a synced file that is partly unreadable is indexed, and the upload response or the job item says which part was left out and why.</summary>
public sealed class ExtractionWarningsTests
{
    [Fact]
    public async Task The_upload_response_warns_about_a_page_nothing_could_read()
    {
        // poppler reads this fixture's font through its broken ToUnicode map, as it does the real-world files.
        await using var host = await ServiceHost.StartAsync("--Extraction:PdfTextLayer=Poppler");
        await host.CreateCollectionAsync("docs");
        var pdf = HostileFiles.PdfWithGarbledTextLayer("Pumps need fresh oil every week", visible: false, readableFirstPage: "Valves need grease every month");
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(pdf), "file", "half.pdf");

        var response = await host.Client.PostAsync("/v1/collections/docs/documents/upload", form);

        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        var warning = Assert.Single(body.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.StartsWith("page 2: the text layer is unreadable", warning);
        Assert.Contains("Valves need grease", ServiceHost.HitTexts(await host.SearchAsync("docs", "valves grease"))[0]);
    }

    [Fact]
    public async Task A_sync_job_item_carries_the_warnings_of_a_partly_unreadable_document()
    {
        await using var host = await ServiceHost.StartAsync("--Extraction:PdfTextLayer=Poppler");
        await host.CreateCollectionAsync("docs");
        var pdf = HostileFiles.PdfWithGarbledTextLayer("Pumps need fresh oil every week", visible: false, readableFirstPage: "Valves need grease every month");
        var archive = TestArchives.Zip(zip =>
        {
            TestArchives.AddZipEntry(zip, "half.pdf", pdf);
            TestArchives.AddZipEntry(zip, "oil.md", Encoding.UTF8.GetBytes("# Oil\n\nPumps need oil every 300 hours."));
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/docs/sync?prune=false") { Content = TestArchives.Body(archive) };

        var response = await host.Client.SendAsync(request);

        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, json.ToString());
        var job = response.StatusCode == HttpStatusCode.OK ? json : await WaitAsync(host.Client, json.GetProperty("id").GetString()!);
        Assert.Equal(["half.pdf", "oil.md"], Paths(job, "added"));
        var partly = Assert.Single(job.GetProperty("partlyRead").EnumerateArray());
        Assert.Equal("half.pdf", partly.GetProperty("path").GetString());
        Assert.StartsWith("page 2: the text layer is unreadable", Assert.Single(partly.GetProperty("warnings").EnumerateArray()).GetString());

        // The warnings are stored with the item: the job read back later still has them.
        var again = await GetJobAsync(host.Client, job.GetProperty("id").GetString()!);
        Assert.Equal("half.pdf", Assert.Single(again.GetProperty("partlyRead").EnumerateArray()).GetProperty("path").GetString());
    }
}
