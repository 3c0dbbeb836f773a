using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Qdrant.Client.Grpc;

namespace RagService.Api.Tests.Qdrant;

/// <summary>
/// A stand-in for Qdrant's gRPC port (no Qdrant server runs here): HTTP/2 without TLS on a loopback port. While
/// <see cref="Down"/> every call gets UNAVAILABLE, as from a server that is going away; otherwise ListAliases answers
/// "no aliases" (so a search finds no Qdrant collection and returns no dense hits) and HealthCheck answers a version.
/// Other methods get UNIMPLEMENTED. Counts every call that reaches it.
/// </summary>
public sealed class FakeQdrantServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private FakeQdrantServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>host:port, as the service names the endpoint.</summary>
    public string Authority => new Uri(Url).Authority;

    /// <summary>The gate the test holds: true = every call fails with UNAVAILABLE.</summary>
    public bool Down { get; set; } = true;

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<FakeQdrantServer> StartAsync()
    {
        FakeQdrantServer? server = null;
        var (app, url) = await ListenAsync(http => server!.AnswerAsync(http));
        server = new FakeQdrantServer(app) { Url = url };
        return server;
    }

    /// <summary>A gRPC-shaped HTTP/2 listener on a loopback port chosen at run time, answering with <paramref name="answer"/>; its URL.</summary>
    internal static async Task<(WebApplication App, string Url)> ListenAsync(RequestDelegate answer)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(answer);
        await app.StartAsync();
        return (app, app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }

    /// <summary>Reads the request's one gRPC message (5 bytes of frame header, then the protobuf bytes).</summary>
    internal static async Task<T> ReadAsync<T>(HttpContext http, MessageParser<T> parser)
        where T : IMessage<T>
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        return parser.ParseFrom(body.ToArray().AsSpan(5));
    }

    /// <summary>Answers one gRPC call: the reply as a message frame with status OK, or no message and <paramref name="status"/>.</summary>
    internal static async Task ReplyAsync(HttpContext http, IMessage? reply, int status = 0, string message = "")
    {
        http.Response.ContentType = "application/grpc";
        if (reply is not null)
        {
            // A gRPC message frame: not compressed (0), then the length as 4 big-endian bytes, then the protobuf bytes.
            var bytes = reply.ToByteArray();
            var frame = new byte[5 + bytes.Length];
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), bytes.Length);
            bytes.CopyTo(frame, 5);
            await http.Response.Body.WriteAsync(frame);
        }

        http.Response.AppendTrailer("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        http.Response.AppendTrailer("grpc-message", message);
    }

    private async Task AnswerAsync(HttpContext http)
    {
        Interlocked.Increment(ref _calls);
        await http.Request.Body.CopyToAsync(Stream.Null);
        IMessage? reply = Down ? null : http.Request.Path.Value switch
        {
            "/qdrant.Collections/ListAliases" => new ListAliasesResponse(),
            "/qdrant.Qdrant/HealthCheck" => new HealthCheckReply { Title = "fake qdrant", Version = "1.19.1" },
            _ => null,
        };
        // grpc-status 0 OK, 14 UNAVAILABLE, 12 UNIMPLEMENTED.
        await ReplyAsync(http, reply, reply is not null ? 0 : Down ? 14 : 12, reply is not null ? "" : Down ? "fake qdrant is down" : "not served by the fake");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
