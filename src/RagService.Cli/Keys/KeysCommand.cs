using System.Net.Http.Json;
using System.Text.Json;
using RagService.Cli.Sync;

namespace RagService.Cli.Keys;

/// <summary>rag keys create|list|revoke: the admin routes under /v1/keys, called with an admin key.</summary>
internal static class KeysCommand
{
    public const string Usage = """
        rag keys create --client NAME --role reader|writer|admin [--collections A,B] [options]
        rag keys list [options]
        rag keys revoke ID [options]
          Manages API keys (needs an admin key for every collection). 'create' prints the new key once: store it then.
          A client may hold two active keys, so a new key can be rolled out before the old one is revoked.
          --collections A,B    scope the key to these collections (default: every collection)
          --url URL            the service (default $RAG_URL or http://127.0.0.1:5080)
          --api-key KEY        the admin key, sent as X-Api-Key (default $RAG_API_KEY)
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var (action, positional, options) = Parse(args);
        using var http = new HttpClient { BaseAddress = ServiceUrl(options), Timeout = TimeSpan.FromMinutes(1) };
        var apiKey = options.GetValueOrDefault("--api-key") ?? Environment.GetEnvironmentVariable("RAG_API_KEY");
        if (!string.IsNullOrEmpty(apiKey))
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        try
        {
            switch (action)
            {
                case "create":
                    var created = await KeysHttp.EnsureSuccessAsync(await http.PostAsJsonAsync("v1/keys", new
                    {
                        client = options.GetValueOrDefault("--client") ?? throw new ArgumentException("--client is required"),
                        role = options.GetValueOrDefault("--role") ?? throw new ArgumentException("--role is required"),
                        collections = options.GetValueOrDefault("--collections")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    }));
                    Console.WriteLine($"id:     {created.GetProperty("id").GetString()}");
                    Console.WriteLine($"key:    {created.GetProperty("key").GetString()}");
                    Console.WriteLine($"client: {created.GetProperty("client").GetString()}  role: {created.GetProperty("role").GetString()}  collections: {Scope(created)}");
                    Console.Error.WriteLine("keys: the key is shown this once; only its hash is stored");
                    return 0;
                case "list":
                    var keys = await KeysHttp.EnsureSuccessAsync(await http.GetAsync("v1/keys"));
                    Console.WriteLine($"{"ID",-12}  {"CLIENT",-20}  {"ROLE",-6}  {"STATE",-7}  {"LAST USED",-20}  COLLECTIONS");
                    foreach (var k in keys.EnumerateArray())
                    {
                        var lastUsed = k.GetProperty("lastUsedAt") is { ValueKind: JsonValueKind.String } t ? t.GetDateTimeOffset().ToString("yyyy-MM-dd HH:mm") : "never";
                        Console.WriteLine($"{k.GetProperty("id").GetString(),-12}  {k.GetProperty("client").GetString(),-20}  {k.GetProperty("role").GetString(),-6}  " +
                            $"{(k.GetProperty("active").GetBoolean() ? "active" : "revoked"),-7}  {lastUsed,-20}  {Scope(k)}");
                    }

                    return 0;
                case "revoke":
                    var id = positional ?? throw new ArgumentException("revoke needs the key id (see 'rag keys list')");
                    await EnsureRevokedAsync(await http.DeleteAsync($"v1/keys/{Uri.EscapeDataString(id)}"));
                    Console.WriteLine($"revoked {id}");
                    return 0;
                default:
                    throw new ArgumentException($"unknown keys action '{action}'");
            }
        }
        catch (KeysHttp.ServiceException e)
        {
            Console.Error.WriteLine($"rag keys: {e.Message}");
            return 1;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"rag keys: cannot reach {http.BaseAddress}: {e.Message}");
            return 1;
        }
    }

    private static async Task EnsureRevokedAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            await KeysHttp.EnsureSuccessAsync(response);
        }
    }

    private static string Scope(JsonElement key) => key.GetProperty("collections") is { ValueKind: JsonValueKind.Array } list
        ? string.Join(',', list.EnumerateArray().Select(c => c.GetString()))
        : "*";

    private static Uri ServiceUrl(IReadOnlyDictionary<string, string> options)
    {
        var url = options.GetValueOrDefault("--url") ?? (Environment.GetEnvironmentVariable("RAG_URL") is { Length: > 0 } env ? env : "http://127.0.0.1:5080");
        return Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"--url must be an http(s) URL, not '{url}'");
    }

    private static (string Action, string? Positional, Dictionary<string, string> Options) Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is not ("create" or "list" or "revoke"))
        {
            throw new ArgumentException("say what to do: create, list or revoke");
        }

        string? positional = null;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            if (args[i] is "--client" or "--role" or "--collections" or "--url" or "--api-key")
            {
                options[args[i]] = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            }
            else if (!args[i].StartsWith("--", StringComparison.Ordinal) && positional is null)
            {
                positional = args[i];
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
        }

        return (args[0], positional, options);
    }
}
