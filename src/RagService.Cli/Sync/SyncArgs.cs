using System.Globalization;

namespace RagService.Cli.Sync;

/// <param name="DryRun">Print the plan and exit without writing anything.</param>
/// <param name="Yes">Carry out a plan even when it deletes more than <paramref name="MaxDeletes"/> or <paramref name="MaxDeleteShare"/> allow.</param>
/// <param name="MaxDeletes">Most documents a sync deletes without --yes.</param>
/// <param name="MaxDeleteShare">Largest share of the collection's documents (0..1) a sync deletes without --yes.</param>
internal sealed record SyncArgs(
    string Folder, string Collection, bool Prune, Uri Url, string? ApiKey, bool Create, bool Full, IReadOnlySet<string>? Extensions, string IdempotencyKey,
    bool DryRun = false, bool Yes = false, int MaxDeletes = SyncArgs.DefaultMaxDeletes, double MaxDeleteShare = SyncArgs.DefaultMaxDeleteShare)
{
    public const int DefaultMaxDeletes = 25;

    public const double DefaultMaxDeleteShare = 0.5;

    /// <summary>Exit code when the plan deletes more than allowed and --yes was not given.</summary>
    public const int ExitRefused = 3;

    public const string DefaultExtensions = ".md,.markdown,.txt,.text,.html,.htm,.docx,.pdf,.png,.jpg,.jpeg";

    public const string Usage = """
        rag sync DIR --collection NAME [options]
          Makes the collection match the folder: adds new files, replaces changed ones, skips unchanged ones
          (by SHA-256, nothing is re-embedded) and with --prune deletes documents the folder no longer has.
          Prints the plan (documents to add, update and delete) first.
          Exit code 0 when every document synced, 1 when any failed, 2 for usage errors, 3 when the plan deletes more
          than --max-deletes or --max-delete-share allow and --yes was not given (nothing is written then).
          --collection NAME    the collection (knowledge base)
          --prune              delete documents that are not in the folder
          --dry-run            print the plan, every path to add, update and delete, and exit 0 without writing
          --yes                carry out the plan even when it deletes more than the limits below (CI passes it)
          --max-deletes N      most documents deleted without --yes (default 25)
          --max-delete-share F largest share of the collection's documents deleted without --yes, 0 to 1 (default 0.5)
          --create             create the collection first when it does not exist
          --url URL            the service (default $RAG_URL or http://127.0.0.1:5080)
          --api-key KEY        sent as the X-Api-Key header (default $RAG_API_KEY); needed only when the service
                               enforces API keys, otherwise ignored by it
          --full               send every file instead of asking the service which ones changed
          --idempotency-key K  sent with the sync; a repeated request with the same key returns the first one's job
                               (default: a new key per run, reused for this run's own retries)
          --ext LIST           file extensions to send (default .md,.markdown,.txt,.text,.html,.htm,.docx,.pdf,.png,.jpg,.jpeg; * for all)
        Hidden files and folders (names starting with '.') are never sent.
        """;

    public static SyncArgs Parse(IReadOnlyList<string> args)
    {
        string? folder = null, collection = null, apiKey = Environment.GetEnvironmentVariable("RAG_API_KEY");
        var url = Environment.GetEnvironmentVariable("RAG_URL") is { Length: > 0 } env ? env : "http://127.0.0.1:5080";
        bool prune = false, create = false, full = false, dryRun = false, yes = false;
        var maxDeletes = DefaultMaxDeletes;
        var maxDeleteShare = DefaultMaxDeleteShare;
        var extensions = DefaultExtensions;
        var key = Guid.NewGuid().ToString("N");
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--collection": collection = Next(); break;
                case "--prune": prune = true; break;
                case "--create": create = true; break;
                case "--full": full = true; break;
                case "--url": url = Next(); break;
                case "--api-key": apiKey = Next(); break;
                case "--ext": extensions = Next(); break;
                case "--idempotency-key": key = Next(); break;
                case "--dry-run": dryRun = true; break;
                case "--yes": yes = true; break;
                case "--max-deletes":
                    var n = Next();
                    maxDeletes = int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
                        ? parsed : throw new ArgumentException($"--max-deletes must be a whole number ≥ 0, not '{n}'");
                    break;
                case "--max-delete-share":
                    var f = Next();
                    maxDeleteShare = double.TryParse(f, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var share) && share is >= 0 and <= 1
                        ? share : throw new ArgumentException($"--max-delete-share must be a number from 0 to 1, not '{f}'");
                    break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal) || folder is not null)
                    {
                        throw new ArgumentException($"unexpected argument '{args[i]}'");
                    }

                    folder = args[i];
                    break;
            }
        }

        if (folder is null || !Directory.Exists(folder))
        {
            throw new ArgumentException(folder is null ? "the folder to sync is missing" : $"no such folder: {folder}");
        }

        if (string.IsNullOrWhiteSpace(collection))
        {
            throw new ArgumentException("--collection is required");
        }

        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--url must be an http(s) URL, not '{url}'");
        }

        IReadOnlySet<string>? exts = extensions.Trim() == "*"
            ? null
            : extensions.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(e => (e.StartsWith('.') ? e : "." + e).ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        return new SyncArgs(folder, collection, prune, baseUrl, string.IsNullOrEmpty(apiKey) ? null : apiKey, create, full, exts, key,
            dryRun, yes, maxDeletes, maxDeleteShare);
    }
}
