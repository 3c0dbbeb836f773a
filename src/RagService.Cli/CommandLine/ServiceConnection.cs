using System.CommandLine;

namespace RagService.Cli.CommandLine;

/// <summary>
/// --url and --api-key of the commands that call the service over HTTP. Their defaults come from $RAG_URL and
/// $RAG_API_KEY when the command runs, not as help defaults, so --help never prints a key.
/// </summary>
internal sealed class ServiceConnection
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public Option<string> Url { get; } = OptionRules.Create<string>("--url", $"the service (default $RAG_URL or {DefaultUrl})", "URL");

    public Option<string> ApiKey { get; }

    public ServiceConnection(string apiKeyDescription, bool recursive = false)
    {
        ApiKey = OptionRules.Create<string>("--api-key", apiKeyDescription, "KEY");
        Url.Recursive = ApiKey.Recursive = recursive;
        Url.Validators.Add(result =>
        {
            if (ToUri(result.GetValueOrDefault<string>()) is null)
            {
                result.AddError($"--url must be an http(s) URL, not '{result.GetValueOrDefault<string>()}'");
            }
        });
    }

    public Uri BaseUrl(ParseResult parse)
    {
        var url = parse.GetValue(Url) ?? (Environment.GetEnvironmentVariable("RAG_URL") is { Length: > 0 } env ? env : DefaultUrl);
        return ToUri(url) ?? throw new ArgumentException($"--url must be an http(s) URL, not '{url}' (from $RAG_URL)");
    }

    /// <returns>The key, or null for none.</returns>
    public string? Key(ParseResult parse) =>
        (parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("RAG_API_KEY")) is { Length: > 0 } key ? key : null;

    private static Uri? ToUri(string? url) =>
        url is not null && Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
}
