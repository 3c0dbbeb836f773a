using System.Runtime.CompilerServices;

namespace RagService.Client;

/// <summary>Reads "event:" / "data:" pairs of a text/event-stream (one data line per event, as the service writes them).</summary>
internal static class ServerSentEvents
{
    public static async IAsyncEnumerable<(string Event, string Data)> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(stream);
        var name = "message";
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                yield return (name, line["data:".Length..].TrimStart());
            }
            else if (line.Length == 0)
            {
                name = "message";
            }
        }
    }
}
