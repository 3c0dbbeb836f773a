using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RagService.Api.Tests;

/// <summary>
/// A local OpenAI-compatible chat endpoint (the one thing that cannot run here for real): answers
/// POST /v1/chat/completions with a canned reply, or with an HTTP error when told to, and records what it received.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeLlmServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public ConcurrentQueue<JsonElement> Requests { get; } = new();

    public string Reply { get; set; } = "最便宜的是芝士多多披萨，26元 [1]。";

    public int FailWithStatus { get; set; }

    /// <summary>Delay before answering (to provoke a timeout) and between streamed tokens.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Set when a caller went away while a streamed answer was still being sent.</summary>
    public TaskCompletionSource CallerDisconnected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<FakeLlmServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeLlmServer? server = null;
        app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            server!.Requests.Enqueue(body);
            if (server.FailWithStatus != 0)
            {
                http.Response.StatusCode = server.FailWithStatus;
                await http.Response.WriteAsJsonAsync(new { error = new { message = "model overloaded", type = "server_error" } });
                return;
            }

            if (body.TryGetProperty("stream", out var stream) && stream.GetBoolean())
            {
                await server.StreamAsync(http, body.GetProperty("model").GetString()!);
                return;
            }

            await Task.Delay(server.Delay, http.RequestAborted);
            await http.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-test",
                @object = "chat.completion",
                created = 1_700_000_000,
                model = body.GetProperty("model").GetString(),
                choices = new[] { new { index = 0, message = new { role = "assistant", content = server.Reply }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
            });
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server = new FakeLlmServer(app, address + "/v1");
        return server;
    }

    /// <summary>The reply word by word as OpenAI chat.completion.chunk events, <see cref="Delay"/> apart.</summary>
    private async Task StreamAsync(HttpContext http, string model)
    {
        http.Response.ContentType = "text/event-stream";
        try
        {
            foreach (var piece in Reply.Split(' '))
            {
                var chunk = new
                {
                    id = "chatcmpl-test",
                    @object = "chat.completion.chunk",
                    created = 1_700_000_000,
                    model,
                    choices = new[] { new { index = 0, delta = new { content = piece + " " }, finish_reason = (string?)null } },
                };
                await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(chunk) + "\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await Task.Delay(Delay, http.RequestAborted);
            }

            await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            CallerDisconnected.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
