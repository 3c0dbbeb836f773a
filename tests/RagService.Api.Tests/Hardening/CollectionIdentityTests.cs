using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Models;
using static RagService.Api.Tests.Hardening.ProblemAssertions;

namespace RagService.Api.Tests.Hardening;

/// <summary>Defect 1: an ingest still running against a deleted collection must not land in a new collection of the same name.</summary>
public sealed class CollectionIdentityTests : IAsyncLifetime
{
    private readonly GatedEmbedder _embedder = new();
    private ServiceHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ITextEmbedder>(_embedder));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Ingest_into_a_collection_deleted_and_recreated_meanwhile_fails_cleanly_and_writes_nothing()
    {
        await _host.CreateCollectionAsync("other");
        await _host.CreateCollectionAsync("kb", new { name = "kb", chunkSize = 100, chunkOverlap = 0 });
        var text = string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"Paragraph {i} says the oven bakes pizza number {i} at 450 degrees for ninety seconds."));

        _embedder.Arm();
        var ingest = _host.Client.PostAsJsonAsync("/v1/collections/kb/documents", new { id = "late", text });
        await _embedder.Entered;

        Assert.Equal(HttpStatusCode.NoContent, (await _host.Client.DeleteAsync("/v1/collections/kb")).StatusCode);
        await _host.CreateCollectionAsync("kb", new { name = "kb", chunkSize = 400, chunkOverlap = 0 });
        _embedder.Open();

        var response = await ingest;
        await AssertProblemAsync(response, HttpStatusCode.Conflict, "deleted");
        Assert.Equal(0, await DocumentCountAsync(_host.Client, "kb"));
        var search = await _host.SearchAsync("kb", "oven pizza", mode: "bm25");
        Assert.Empty(ServiceHost.HitTexts(search));
        Assert.Equal(0, await DocumentCountAsync(_host.Client, "other"));
    }
}
