using System.Collections.Concurrent;
using System.Globalization;

namespace RagService.Client.Http;

/// <summary>
/// Read-your-writes for one client: remembers the newest collection version each document write answered with (header
/// Rag-Collection-Version), and sends it as Rag-Min-Version with the next search or ask of that collection, so the
/// replica that answers (behind a load balancer, maybe another one) first reaches the client's own writes.
/// </summary>
internal sealed class WrittenVersions
{
    public const string VersionHeader = "Rag-Collection-Version";
    public const string MinVersionHeader = "Rag-Min-Version";

    private readonly ConcurrentDictionary<string, long> _byCollection = new(StringComparer.Ordinal);

    public long? Of(string collection) => _byCollection.TryGetValue(collection, out var version) ? version : null;

    /// <summary>A successful POST or DELETE under /v1/collections/{name}/documents: keeps its version when it is the newest seen.</summary>
    public void Observe(HttpRequestMessage request, HttpResponseMessage response)
    {
        if ((request.Method == HttpMethod.Post || request.Method == HttpMethod.Delete)
            && CollectionOf(request, "documents") is { } collection
            && response.Headers.TryGetValues(VersionHeader, out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            _byCollection.AddOrUpdate(collection, version, (_, known) => Math.Max(known, version));
        }
    }

    /// <summary>A search or ask of a collection this client wrote to: adds the minimum version header.</summary>
    public void Stamp(HttpRequestMessage request)
    {
        if (request.Method == HttpMethod.Post
            && (CollectionOf(request, "search") ?? CollectionOf(request, "ask")) is { } collection
            && Of(collection) is { } version)
        {
            request.Headers.Remove(MinVersionHeader);
            request.Headers.Add(MinVersionHeader, version.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The collection of a request to /v1/collections/{name}/{action}..., or null.</summary>
    private static string? CollectionOf(HttpRequestMessage request, string action)
    {
        var segments = request.RequestUri!.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(segments, "collections");
        return at >= 1 && segments[at - 1] == "v1" && segments.Length > at + 2 && segments[at + 2] == action
            ? Uri.UnescapeDataString(segments[at + 1])
            : null;
    }
}
