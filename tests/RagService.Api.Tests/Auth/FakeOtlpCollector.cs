using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace RagService.Api.Tests.Auth;

/// <summary>
/// Stands in for an OpenTelemetry collector (none runs here): accepts OTLP over http/protobuf at /v1/traces and
/// /v1/metrics and keeps each request's path and body.
/// </summary>
public sealed class FakeOtlpCollector(WebApplication app) : IAsyncDisposable
{
    public string Url => app.Urls.First();

    public ConcurrentQueue<(string Path, byte[] Body)> Received { get; } = new();

    public static async Task<FakeOtlpCollector> StartAsync()
    {
        var app = WebApplication.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None"]);
        var collector = new FakeOtlpCollector(app);
        app.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            collector.Received.Enqueue((http.Request.Path.Value!, body.ToArray()));
            http.Response.ContentType = "application/x-protobuf";
        });
        await app.StartAsync();
        return collector;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
