using RagService.Api.Tests;

namespace RagService.Client.Tests;

/// <summary>The real service on Kestrel and a <see cref="RagServiceClient"/> pointed at it.</summary>
internal sealed class ClientFixture : IAsyncDisposable
{
    private ClientFixture(ServiceHost host, RagServiceClient client)
    {
        Host = host;
        Client = client;
    }

    public ServiceHost Host { get; }

    public RagServiceClient Client { get; }

    public Uri Address => Host.Client.BaseAddress!;

    public static async Task<ClientFixture> StartAsync(params string[] settings)
    {
        var host = await ServiceHost.StartAsync(settings);
        return new ClientFixture(host, ClientFor(host));
    }

    /// <summary>A client with the same address and API key (if any) as the host's own test HttpClient.</summary>
    public static RagServiceClient ClientFor(ServiceHost host, int maxRetries = 5) => new(new RagServiceClientOptions
    {
        BaseAddress = host.Client.BaseAddress!,
        ApiKey = ApiKeyOf(host) ?? "k-test", // any key is sent; the service checks it once keys are enforced
        JobPollInterval = TimeSpan.FromMilliseconds(50),
        MaxRetries = maxRetries,
    });

    /// <summary>The key the host's own test client sends, when the service enforces keys.</summary>
    public static string? ApiKeyOf(ServiceHost host) =>
        host.Client.DefaultRequestHeaders.TryGetValues(RagServiceClient.ApiKeyHeader, out var keys) ? keys.First() : null;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
