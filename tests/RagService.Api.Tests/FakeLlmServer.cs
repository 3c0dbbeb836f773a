using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RagService.Api.Tests;

/// <summary>
/// A local OpenAI-compatible chat endpoint (the one thing that cannot run here for real): answers
/// POST /v1/chat/completions with a canned reply, an HTTP error, a tool call or a stream held at a gate the test
/// controls, serves GET /v1/models, and records what it received.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    /// <summary>What the upstream error body says; a sanitised 502 must never repeat it.</summary>
    public const string UpstreamErrorText = "model overloaded: shard db-7 at 10.0.0.12 (secret upstream detail)";

    private readonly WebApplication _app;

    private FakeLlmServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public ConcurrentQueue<JsonElement> Requests { get; } = new();

    private int _modelListRequests;

    public int ModelListRequests => Volatile.Read(ref _modelListRequests);

    public string Reply { get; set; } = "最便宜的是芝士多多披萨，26元 [1]。";

    /// <summary>The finish_reason of answers (a stream sends it in a last chunk with an empty delta).</summary>
    public string FinishReason { get; set; } = "stop";

    /// <summary>Every chat request fails with this status (0 = answer normally).</summary>
    public int FailWithStatus { get; set; }

    /// <summary>The next requests fail with these statuses, one each, before answering normally (e.g. 500 then 200).</summary>
    public ConcurrentQueue<int> FailNext { get; } = new();

    /// <summary>Delay before answering and between streamed tokens.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, nothing is sent (no headers, no first token) until the test completes it.</summary>
    public TaskCompletionSource? FirstTokenGate { get; set; }

    /// <summary>
    /// When set, a chat request whose body contains this text completes <see cref="Held"/> and gets no answer until
    /// <see cref="ReleaseHeld"/> (or until the caller goes away).
    /// </summary>
    public string? HoldWhenAsked { get; set; }

    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseHeld() => _release.TrySetResult();

    /// <summary>When set, a stream sends its first token and then stalls until the caller goes away.</summary>
    public bool StallAfterFirstToken { get; set; }

    /// <summary>
    /// When set and the request offers tools, the first answer is a call of the offered tool whose name ends with
    /// <see cref="ToolCall"/>.Name, with these JSON arguments; the answer after the tool result is
    /// <see cref="AnswerFromToolResult"/> applied to the tool's output.
    /// </summary>
    public (string Name, string ArgumentsJson)? ToolCall { get; set; }

    public Func<string, string> AnswerFromToolResult { get; set; } = result => result;

    /// <summary>
    /// When set, decides per chat request (given its JSON body) what to do instead of the settings above: reply with
    /// other text, fail with a status, or hold the request at a gate the test controls. Null = the settings above.
    /// </summary>
    public Func<JsonElement, ScriptedReply?>? Script { get; set; }

    /// <param name="Reply">The text to answer with (null = <see cref="FakeLlmServer.Reply"/>).</param>
    /// <param name="Status">Fail with this HTTP status (0 = answer).</param>
    /// <param name="Gate">Send nothing until this task completes (or the caller goes away).</param>
    public sealed record ScriptedReply(string? Reply = null, int Status = 0, Task? Gate = null);

    /// <summary>Set when a caller went away while a streamed answer was still being sent.</summary>
    public TaskCompletionSource CallerDisconnected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<FakeLlmServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeLlmServer? server = null;
        app.MapGet("/v1/models", () =>
        {
            Interlocked.Increment(ref server!._modelListRequests);
            return Results.Json(new { @object = "list", data = new[] { new { id = "test-model", @object = "model" } } });
        });
        app.MapPost("/v1/chat/completions", (HttpContext http) => server!.AnswerAsync(http));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server = new FakeLlmServer(app, address + "/v1");
        return server;
    }

    private async Task AnswerAsync(HttpContext http)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
        Requests.Enqueue(body);
        var scripted = Script?.Invoke(body);
        var status = scripted is { Status: > 0 } ? scripted.Status : FailNext.TryDequeue(out var next) ? next : FailWithStatus;
        if (status != 0)
        {
            http.Response.StatusCode = status;
            await http.Response.WriteAsJsonAsync(new { error = new { message = UpstreamErrorText, type = "server_error" } });
            return;
        }

        try
        {
            if (HoldWhenAsked is { } held && body.GetRawText().Contains(held, StringComparison.Ordinal))
            {
                Held.TrySetResult();
                await _release.Task.WaitAsync(http.RequestAborted);
            }

            if ((scripted?.Gate ?? FirstTokenGate?.Task) is { } gate)
            {
                await gate.WaitAsync(http.RequestAborted);
            }

            var model = body.GetProperty("model").GetString()!;
            var reply = scripted?.Reply ?? Reply;
            if (body.TryGetProperty("stream", out var stream) && stream.GetBoolean())
            {
                await StreamAsync(http, model, reply, IncludesUsage(body));
                return;
            }

            await Task.Delay(Delay, http.RequestAborted);
            await http.Response.WriteAsJsonAsync(Completion(body, model, reply));
        }
        catch (OperationCanceledException)
        {
            CallerDisconnected.TrySetResult();
        }
    }

    private object Completion(JsonElement body, string model, string reply)
    {
        var messages = body.GetProperty("messages").EnumerateArray().ToList();
        var last = messages[^1];
        object message = new { role = "assistant", content = reply };
        var finish = FinishReason;
        if (ToolCall is { } call && body.TryGetProperty("tools", out var tools))
        {
            if (last.GetProperty("role").GetString() == "tool")
            {
                message = new { role = "assistant", content = AnswerFromToolResult(last.GetProperty("content").GetString()!) };
            }
            else
            {
                var name = tools.EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!)
                    .First(n => n.EndsWith(call.Name, StringComparison.Ordinal));
                message = new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = "call_1", type = "function", function = new { name, arguments = call.ArgumentsJson } } } };
                finish = "tool_calls";
            }
        }

        return new
        {
            id = "chatcmpl-test",
            @object = "chat.completion",
            created = 1_700_000_000,
            model,
            choices = new[] { new { index = 0, message, finish_reason = finish } },
            usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
        };
    }

    private static bool IncludesUsage(JsonElement body) =>
        body.TryGetProperty("stream_options", out var o) && o.ValueKind == JsonValueKind.Object && o.TryGetProperty("include_usage", out var u) && u.ValueKind == JsonValueKind.True;

    /// <summary>
    /// The reply word by word as OpenAI chat.completion.chunk events, <see cref="Delay"/> apart, a chunk with the
    /// <see cref="FinishReason"/>; then, when the request asked for it (stream_options.include_usage), a usage chunk of
    /// 10 prompt and 5 completion tokens.
    /// </summary>
    private async Task StreamAsync(HttpContext http, string model, string reply, bool includeUsage)
    {
        http.Response.ContentType = "text/event-stream";
        var first = true;
        foreach (var piece in reply.Split(' '))
        {
            if (!first && StallAfterFirstToken)
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }

            first = false;
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

        var last = new { id = "chatcmpl-test", @object = "chat.completion.chunk", created = 1_700_000_000, model,
            choices = new[] { new { index = 0, delta = new { }, finish_reason = FinishReason } } };
        await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(last) + "\n\n", http.RequestAborted);
        if (includeUsage)
        {
            var usage = new { id = "chatcmpl-test", @object = "chat.completion.chunk", created = 1_700_000_000, model, choices = Array.Empty<object>(),
                usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 } };
            await http.Response.WriteAsync("data: " + JsonSerializer.Serialize(usage) + "\n\n", http.RequestAborted);
        }

        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        FirstTokenGate?.TrySetResult();
        _release.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
