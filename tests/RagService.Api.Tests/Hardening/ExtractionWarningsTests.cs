using System.Net;
using System.Text.Json;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Api.Tests.Hardening;

/// <summary>An upload that is partly unreadable is indexed, and its response says which part was left out and why.</summary>
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
}
