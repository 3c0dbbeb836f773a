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
        var client = new RagServiceClient(new RagServiceClientOptions { BaseAddress = host.Client.BaseAddress!, JobPollInterval = TimeSpan.FromMilliseconds(50) });
        return new ClientFixture(host, client);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
