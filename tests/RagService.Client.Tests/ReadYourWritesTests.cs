using RagService.Api.Tests;
using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>
/// The client sends the newest version its own writes answered with as the minimum version of its next searches and
/// asks of that collection (read-your-writes behind a load balancer), and stops when told to. The requests are seen on
/// the wire by a handler in front of the real service.
/// </summary>
public sealed class ReadYourWritesTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Searches_after_a_write_ask_for_the_written_version_unless_turned_off(bool readYourWrites)
    {
        await using var host = await ServiceHost.StartAsync();
        var wire = new MinVersionRecorder { InnerHandler = new HttpClientHandler() };
        using var client = new RagServiceClient(new HttpClient(wire), new RagServiceClientOptions
        {
            BaseAddress = host.Client.BaseAddress!,
            ApiKey = ServiceHost.BootstrapKey,
            ReadYourWrites = readYourWrites,
        });
        await client.CreateCollectionAsync(new CollectionSettings("kb"));
        await client.CreateCollectionAsync(new CollectionSettings("other"));
        await client.SearchAsync("kb", "battery");
        var first = await client.AddDocumentAsync("kb", new DocumentInput("battery life of the phone", "a"));
        var second = await client.AddDocumentAsync("kb", new DocumentInput("screen repair prices", "b"));
        var found = await client.SearchAsync("kb", "battery");
        await client.SearchAsync("other", "battery");

        Assert.Equal((1L, 2L), (first.Version, second.Version));
        Assert.Equal(2, found.Version);
        Assert.Equal(["a"], found.Hits.Select(h => h.DocumentId));
        Assert.Equal(readYourWrites ? [null, "2", null] : [null, null, null], wire.Searches);
        Assert.Equal(2, client.LastWrittenVersion("kb"));
    }

    private sealed class MinVersionRecorder : DelegatingHandler
    {
        public List<string?> Searches { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/search", StringComparison.Ordinal))
            {
                Searches.Add(request.Headers.TryGetValues("Rag-Min-Version", out var values) ? values.Single() : null);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
