using System.CommandLine;
using RagService.Cli.CommandLine;

namespace RagService.Cli.Sync;

/// <param name="DryRun">Print the plan and exit without writing anything.</param>
/// <param name="Yes">Carry out a plan even when it deletes more than <paramref name="MaxDeletes"/> or <paramref name="MaxDeleteShare"/> allow.</param>
/// <param name="MaxDeletes">Most documents a sync deletes without --yes.</param>
/// <param name="MaxDeleteShare">Largest share of the collection's documents (0..1) a sync deletes without --yes.</param>
internal sealed record SyncArgs(
    string Folder, string Collection, bool Prune, Uri Url, string? ApiKey, bool Create, bool Full, IReadOnlySet<string>? Extensions, string IdempotencyKey,
    bool DryRun = false, bool Yes = false, int MaxDeletes = SyncArgs.DefaultMaxDeletes, double MaxDeleteShare = SyncArgs.DefaultMaxDeleteShare,
    string? AccessMap = null)
{
    public const int DefaultMaxDeletes = 25;

    public const double DefaultMaxDeleteShare = 0.5;

    /// <summary>Exit code when the plan deletes more than allowed and --yes was not given.</summary>
    public const int ExitRefused = 3;

    public const string DefaultExtensions = ".md,.markdown,.txt,.text,.html,.htm,.docx,.pdf,.png,.jpg,.jpeg";

    /// <summary>`rag sync`: its arguments, help and checks; the action runs <see cref="SyncCommand"/>.</summary>
    public static Command CreateCommand()
    {
        var folder = new Argument<string>("DIR") { Description = "the folder to sync" };
        folder.Validators.Add(result =>
        {
            if (!Directory.Exists(result.GetValueOrDefault<string>()))
            {
                result.AddError($"no such folder: {result.GetValueOrDefault<string>()}");
            }
        });
        var collection = OptionRules.Create<string>("--collection", "the collection (knowledge base)", "NAME");
        collection.Required = true;
        collection.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--collection needs a name");
            }
        });
        var prune = new Option<bool>("--prune") { Description = "delete documents that are not in the folder" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the plan, every path to add, update and delete, and exit 0 without writing" };
        var yes = new Option<bool>("--yes") { Description = "carry out the plan even when it deletes more than the limits below (CI passes it)" };
        var maxDeletes = OptionRules.Create("--max-deletes", "most documents deleted without --yes", "N", DefaultMaxDeletes).AtLeast(0);
        var maxDeleteShare = OptionRules.Number("--max-delete-share", "largest share of the collection's documents deleted without --yes, 0 to 1", "F", DefaultMaxDeleteShare)
            .Within(0.0, 1.0);
        var create = new Option<bool>("--create") { Description = "create the collection first when it does not exist" };
        var service = new ServiceConnection("sent as the X-Api-Key header (default $RAG_API_KEY); needed only when the service enforces API keys");
        var full = new Option<bool>("--full") { Description = "send every file instead of asking the service which ones changed" };
        var idempotencyKey = OptionRules.Create<string>("--idempotency-key",
            "sent with the sync; a repeated request with the same key returns the first one's job (default: a new key per run, reused for this run's own retries)", "K");
        var extensions = OptionRules.Create("--ext", "file extensions to send (* for all)", "LIST", DefaultExtensions);
        var accessMap = OptionRules.Create<string>("--access-map",
            "access lists per path: lines of 'GLOB PRINCIPAL...', the last matching line wins, a path no line matches gets none; " +
            "an access change alone re-embeds nothing", "FILE");
        accessMap.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } file && !File.Exists(file))
            {
                result.AddError($"--access-map: no such file: {file}");
            }
        });
        var command = new Command("sync", "Makes the collection match the folder: adds new files, replaces changed ones, skips unchanged ones (by " +
            "SHA-256, nothing is re-embedded) and with --prune deletes documents the folder no longer has. Prints the plan " +
            "(documents to add, update and delete) first. Hidden files and folders (names starting with '.') are never " +
            "sent. Exit code 0 when every document synced, 1 when any failed, 2 for usage errors, 3 when the plan deletes " +
            "more than --max-deletes or --max-delete-share allow and --yes was not given (nothing is written then).")
        {
            folder, collection, prune, dryRun, yes, maxDeletes, maxDeleteShare, create, service.Url, service.ApiKey, full, idempotencyKey, extensions, accessMap,
        };
        command.SetAction(parse =>
        {
            var ext = parse.GetRequiredValue(extensions);
            IReadOnlySet<string>? exts = ext.Trim() == "*"
                ? null
                : ext.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(e => (e.StartsWith('.') ? e : "." + e).ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
            return SyncCommand.RunAsync(new SyncArgs(
                parse.GetRequiredValue(folder), parse.GetRequiredValue(collection), parse.GetValue(prune), service.BaseUrl(parse), service.Key(parse),
                parse.GetValue(create), parse.GetValue(full), exts, parse.GetValue(idempotencyKey) ?? Guid.NewGuid().ToString("N"),
                parse.GetValue(dryRun), parse.GetValue(yes), parse.GetValue(maxDeletes), parse.GetValue(maxDeleteShare), parse.GetValue(accessMap)));
        });
        return command;
    }
}
