using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Tests;
using RagService.Client.Errors;
using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>
/// The API key header and the retries on 429 + Retry-After, against the real service with a front middleware that the
/// test controls (it records headers and refuses a set number of requests, as the rate limiter will).
/// </summary>
public sealed class ClientResilienceTests
{
    [Fact]
    public async Task Every_request_carries_the_api_key_and_a_refused_request_is_retried_after_Retry_After()
    {
        var front = new FrontDoor();
        await using var host = await ServiceHost.StartAsync(b => b.Services.AddSingleton<IStartupFilter>(front));
        using var rag = ClientFixture.ClientFor(host);
        var key = rag.Options.ApiKey ?? "";

        front.RefuseNext = 2;
        await rag.CreateCollectionAsync(new CollectionSettings("kb"));
        await rag.AddDocumentAsync("kb", new DocumentInput("Seals are checked monthly.", Id: "seal"));
        Assert.NotEmpty((await rag.SearchAsync("kb", "seals")).Hits);
        front.RefuseNext = 1; // a streamed ask is retried too, before its stream starts
        await foreach (var _ in rag.AskStreamAsync("kb", "seals?"))
        {
        }

        Assert.Equal(0, front.RefuseNext);
        Assert.Equal(7, front.Keys.Count); // 3 refused + 4 served
        Assert.All(front.Keys, k => Assert.Equal(key, k));
    }

    [Fact]
    public async Task A_service_that_stays_busy_gives_a_busy_exception_after_the_retries()
    {
        var front = new FrontDoor { RefuseNext = 100 };
        await using var host = await ServiceHost.StartAsync(b => b.Services.AddSingleton<IStartupFilter>(front));
        using var rag = ClientFixture.ClientFor(host, maxRetries: 2);

        var busy = await Assert.ThrowsAsync<RagServiceBusyException>(() => rag.ListCollectionsAsync());
        Assert.Equal(TimeSpan.Zero, busy.RetryAfter);
        Assert.Equal(97, front.RefuseNext); // the first try and two retries
    }

    private sealed class FrontDoor : IStartupFilter
    {
        private int _refuseNext;

        public int RefuseNext { get => Volatile.Read(ref _refuseNext); set => Volatile.Write(ref _refuseNext, value); }

        public ConcurrentQueue<string> Keys { get; } = new();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext http, RequestDelegate rest) =>
            {
                Keys.Enqueue(http.Request.Headers[RagServiceClient.ApiKeyHeader].ToString());
                if (Interlocked.Decrement(ref _refuseNext) >= 0)
                {
                    http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    http.Response.Headers.RetryAfter = "0";
                    await http.Response.WriteAsJsonAsync(new { title = "Too many requests", status = 429, detail = "slow down" });
                    return;
                }

                Interlocked.Increment(ref _refuseNext);
                await rest(http);
            });
            next(app);
        };
    }
}
