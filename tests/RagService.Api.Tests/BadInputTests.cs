using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>Every bad request gets a 4xx problem detail that says what to fix, and leaves the store as it was.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync("--Rag:Limits:MaxRequestBytes=65536");
        await _host.CreateCollectionAsync("kb");
        await _host.IngestAsync("kb", new { id = "keep", text = "The original document stays intact." });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string, string, string, HttpStatusCode, string> Cases => new()
    {
        { "empty text", "/v1/collections/kb/documents", "application/json", """{"id":"e","text":"   "}""", HttpStatusCode.BadRequest, "'text'" },
        { "missing text", "/v1/collections/kb/documents", "application/json", """{"id":"e"}""", HttpStatusCode.BadRequest, "'text'" },
        { "unknown collection", "/v1/collections/nope/documents", "application/json", """{"id":"e","text":"hello"}""", HttpStatusCode.NotFound, "nope" },
        { "malformed json", "/v1/collections/kb/documents", "application/json", """{"id":"e","text":"hel""", HttpStatusCode.BadRequest, "JSON" },
        { "wrong content type", "/v1/collections/kb/documents", "text/plain", "just text", HttpStatusCode.UnsupportedMediaType, "application/json" },
        { "bad format", "/v1/collections/kb/documents", "application/json", """{"id":"e","text":"x","format":"docx"}""", HttpStatusCode.BadRequest, "'format'" },
        { "blank query", "/v1/collections/kb/search", "application/json", """{"query":""}""", HttpStatusCode.BadRequest, "'query'" },
        { "topK too large", "/v1/collections/kb/search", "application/json", """{"query":"x","topK":100000}""", HttpStatusCode.BadRequest, "'topK'" },
        { "unknown mode", "/v1/collections/kb/search", "application/json", """{"query":"x","mode":"magic"}""", HttpStatusCode.BadRequest, "'mode'" },
        { "dense without a model", "/v1/collections/kb/search", "application/json", """{"query":"x","mode":"dense"}""", HttpStatusCode.BadRequest, "embedding model" },
        { "search unknown collection", "/v1/collections/nope/search", "application/json", """{"query":"x"}""", HttpStatusCode.NotFound, "nope" },
        { "ask without question", "/v1/collections/kb/ask", "application/json", """{"topK":3}""", HttpStatusCode.BadRequest, "'question'" },
        { "bad collection name", "/v1/collections", "application/json", """{"name":"Bad Name!"}""", HttpStatusCode.BadRequest, "'name'" },
        { "chunk overlap too large", "/v1/collections", "application/json", """{"name":"c2","chunkSize":100,"chunkOverlap":90}""", HttpStatusCode.BadRequest, "overlap" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_request_gets_problem_detail_and_changes_nothing(string name, string path, string contentType, string body, HttpStatusCode expected, string detailMentions)
    {
        var before = await SnapshotAsync();
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        var response = await _host.Client.PostAsync(path, content);

        Assert.True(expected == response.StatusCode, $"{name}: expected {expected}, got {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await AssertProblemAsync(response, detailMentions);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Oversized_body_gets_413_and_changes_nothing()
    {
        var before = await SnapshotAsync();
        var text = new string('字', 70_000);
        var response = await _host.Client.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "big", text });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertProblemAsync(response, "MaxRequestBytes");
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Upload_without_file_and_unsupported_binary_are_refused()
    {
        var before = await SnapshotAsync();
        using (var empty = new MultipartFormDataContent { { new StringContent("x"), "id" } })
        {
            var response = await _host.Client.PostAsync("/v1/collections/kb/documents/upload", empty);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            await AssertProblemAsync(response, "'file'");
        }

        using (var binary = new MultipartFormDataContent())
        {
            binary.Add(new ByteArrayContent([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3E, 0, 0, 0xFF, 0xFE, 0x00, 0x01]), "file", "notes.txt");
            var response = await _host.Client.PostAsync("/v1/collections/kb/documents/upload", binary);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
            await AssertProblemAsync(response, "");
        }

        Assert.Equal(before, await SnapshotAsync());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string detailMentions)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        var detail = problem.GetProperty("detail").GetString();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Contains(detailMentions, detail, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Collections, documents and chunk counts: what a bad request must not change.</summary>
    private async Task<string> SnapshotAsync()
    {
        var collections = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections");
        var docs = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents");
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
        return string.Join("|", collections.GetRawText(), docs.GetRawText(), stats.GetRawText());
    }
}
