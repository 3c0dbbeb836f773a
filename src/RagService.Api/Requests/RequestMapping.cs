using RagService.Core.Access;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Endpoints;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Core.Conversation;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Api.Requests;

/// <summary>Validates request bodies and turns them into core types; every refusal says which field to fix.</summary>
internal sealed partial class RequestMapping(IOptions<RagOptions> options, IKnowledgeStore store, IHttpContextAccessor http, LastKnownCollections collections)
{
    /// <summary>
    /// The documents the current request's caller may read (null: all, an admin). Every query this class builds
    /// carries it in its filter, so search, ask, the OpenAI-compatible and MCP routes cannot leave it out.
    /// </summary>
    public AccessScope? CallerAccess() =>
        (Security.Caller.From(http.HttpContext?.User ?? throw new InvalidOperationException("no request: the caller's access is unknown"))
            ?? throw new InvalidOperationException("an unauthenticated request reached a route that reads documents")).Access;

    private LimitOptions Limits => options.Value.Limits;

    // \A...\z: '$' would also match before a trailing newline.
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]{0,63}\z")]
    private static partial Regex CollectionName();

    public static string ValidCollectionName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || !CollectionName().IsMatch(name))
        {
            throw ApiProblemException.BadRequest("'name' must be 1-64 characters of lower-case letters, digits, '-' or '_', starting with a letter or digit");
        }

        return name;
    }

    /// <summary>The named collection or a 404; inside a <see cref="LocalStateScope"/> the last known description when the store cannot be reached.</summary>
    public async Task<CollectionInfo> CollectionAsync(string name, CancellationToken ct) =>
        await collections.GetAsync(store, name, ct)
        ?? throw ApiProblemException.NotFound($"collection '{InputEcho.Of(name)}' does not exist; create it with POST /v1/collections");

    /// <param name="collection">The collection searched: its metadataTypes decide which keys a filter may ask ranges on
    /// (required when the filter has any).</param>
    public SearchQuery Query(string? text, string field, int? topK, string? mode, bool? rerank, int? candidates, FilterRequest? filter, string? fusion = null,
        CollectionInfo? collection = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ApiProblemException.BadRequest($"'{field}' is required and must not be blank");
        }

        if (text.Length > Limits.MaxQueryChars)
        {
            throw ApiProblemException.BadRequest($"'{field}' is {text.Length} characters; the limit is {Limits.MaxQueryChars} (Rag:Limits:MaxQueryChars)");
        }

        if (topK is { } k && (k < 1 || k > Limits.MaxTopK))
        {
            throw ApiProblemException.BadRequest($"'topK' must be between 1 and {Limits.MaxTopK}");
        }

        if (candidates is { } c && (c < 1 || c > Limits.MaxCandidates))
        {
            throw ApiProblemException.BadRequest($"'candidates' must be between 1 and {Limits.MaxCandidates}");
        }

        return new SearchQuery
        {
            Query = text,
            TopK = topK ?? 5,
            Mode = ParseMode(mode),
            Rerank = rerank,
            Candidates = candidates ?? 100,
            Filter = Filter(filter, collection) with { Access = CallerAccess() },
            Fusion = fusion?.Trim().ToLowerInvariant() switch
            {
                null or "" or "calibrated" => FusionMethod.Calibrated,
                "rrf" => FusionMethod.Rrf,
                "weighted" => FusionMethod.Weighted,
                _ => throw ApiProblemException.BadRequest($"'fusion' must be \"calibrated\" (default), \"rrf\" or \"weighted\", not \"{InputEcho.Of(fusion)}\""),
            },
        };
    }

    /// <summary>An ask's earlier turns: each a "user" or "assistant" turn with content, bounded in turns and in characters.</summary>
    /// <param name="field">The request field the turns came in, for refusals ("history", or "messages" on the chat route).</param>
    /// <param name="callerSystem">Also accept "system" / "developer" turns, kept as <see cref="ConversationRole.CallerSystem"/> context.</param>
    public IReadOnlyList<ConversationTurn> History(List<HistoryTurnRequest?>? history, string field = "history", bool callerSystem = false)
    {
        if (history is null || history.Count == 0)
        {
            return [];
        }

        var bounds = options.Value.Conversation;
        if (history.Count > bounds.MaxHistoryTurns)
        {
            throw ApiProblemException.BadRequest(
                $"'{field}' has {history.Count} turns; the limit is {bounds.MaxHistoryTurns} (Rag:Conversation:MaxHistoryTurns): send only the newest turns");
        }

        var turns = new List<ConversationTurn>(history.Count);
        for (var i = 0; i < history.Count; i++)
        {
            var turn = history[i];
            var role = turn?.Role?.Trim().ToLowerInvariant() switch
            {
                "user" => ConversationRole.User,
                "assistant" => ConversationRole.Assistant,
                "system" or "developer" when callerSystem => ConversationRole.CallerSystem,
                _ => throw ApiProblemException.BadRequest(
                    $"'{field}[{i}].role' must be \"user\" or \"assistant\"{(callerSystem ? ", \"system\" or \"developer\"" : "")}, not \"{InputEcho.Of(turn?.Role)}\""),
            };
            if (string.IsNullOrWhiteSpace(turn!.Content))
            {
                throw ApiProblemException.BadRequest($"'{field}[{i}].content' is required and must not be blank");
            }

            turns.Add(new ConversationTurn(role, turn.Content));
        }

        var chars = turns.Sum(t => (long)t.Content.Length);
        if (chars > bounds.MaxHistoryChars)
        {
            throw ApiProblemException.BadRequest(
                $"'{field}' has {chars} characters; the limit is {bounds.MaxHistoryChars} (Rag:Conversation:MaxHistoryChars): send only the newest turns");
        }

        return turns;
    }

    /// <summary>A document's access list in its stored form (<see cref="Principals.NormalizeList"/>), or a 400 naming the rule it breaks.</summary>
    public static IReadOnlyList<string>? Access(IReadOnlyList<string>? access, string field = "access")
    {
        var (list, problem) = Principals.NormalizeList(access);
        return problem is null ? list : throw ApiProblemException.BadRequest($"'{field}': {problem}");
    }

    /// <summary>A form field's access list: principals separated by commas (principals never contain one); blank: none.</summary>
    public static IReadOnlyList<string>? FormAccess(string? access) =>
        string.IsNullOrWhiteSpace(access) ? null : Access(access.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A document's metadata: bounded in entries, key length, value and total bytes.</summary>
    public IReadOnlyDictionary<string, string> Metadata(Dictionary<string, string?>? metadata)
    {
        metadata ??= [];
        CheckMetadataEntries(metadata, "metadata");
        var total = metadata.Sum(kv => (long)System.Text.Encoding.UTF8.GetByteCount(kv.Key) + System.Text.Encoding.UTF8.GetByteCount(kv.Value!));
        if (total > Limits.MaxMetadataBytes)
        {
            throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Metadata too large",
                $"'metadata' has {total} bytes of keys and values; the limit is {Limits.MaxMetadataBytes} (Rag:Limits:MaxMetadataBytes)");
        }

        return metadata!;
    }

    /// <summary>
    /// Keys are 1..MaxMetadataKeyChars characters without control characters, '"' or '\' (they name a JSON member in
    /// filters); values are strings of at most MaxMetadataValueBytes. The same rules hold for documents and filters.
    /// </summary>
    private void CheckMetadataEntries(Dictionary<string, string?> metadata, string field)
    {
        if (metadata.Count > Limits.MaxMetadataEntries)
        {
            throw ApiProblemException.BadRequest($"'{field}' has {metadata.Count} entries; the limit is {Limits.MaxMetadataEntries} (Rag:Limits:MaxMetadataEntries)");
        }

        foreach (var (key, value) in metadata)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Any(c => char.IsControl(c) || c is '"' or '\\'))
            {
                throw ApiProblemException.BadRequest($"'{field}' key \"{InputEcho.Of(key)}\" is not allowed: keys must be non-blank, without control characters, '\"' or '\\'");
            }

            if (key.Length > Limits.MaxMetadataKeyChars)
            {
                throw ApiProblemException.BadRequest($"'{field}' key \"{InputEcho.Of(key)}\" is {key.Length} characters; the limit is {Limits.MaxMetadataKeyChars} (Rag:Limits:MaxMetadataKeyChars)");
            }

            if (value is null)
            {
                throw ApiProblemException.BadRequest($"'{field}' value of \"{InputEcho.Of(key)}\" is null; values must be strings");
            }

            if (System.Text.Encoding.UTF8.GetByteCount(value) > Limits.MaxMetadataValueBytes)
            {
                throw new ApiProblemException(StatusCodes.Status413PayloadTooLarge, "Metadata too large",
                    $"'{field}' value of \"{InputEcho.Of(key)}\" is over {Limits.MaxMetadataValueBytes} bytes (Rag:Limits:MaxMetadataValueBytes)");
            }
        }
    }

    public string? Title(string? title) => title is { Length: var n } && n > Limits.MaxTitleChars
        ? throw ApiProblemException.BadRequest($"'title' is {n} characters; the limit is {Limits.MaxTitleChars} (Rag:Limits:MaxTitleChars)")
        : title;

    public (int Offset, int Limit) Page(int? offset, int? limit) =>
        offset < 0 || limit < 1 || limit > Limits.MaxDocumentsPerPage
            ? throw ApiProblemException.BadRequest($"'offset' must be >= 0 and 'limit' between 1 and {Limits.MaxDocumentsPerPage} (Rag:Limits:MaxDocumentsPerPage)")
            : (offset ?? 0, limit ?? Math.Min(100, Limits.MaxDocumentsPerPage));

    /// <summary>Which metadata keys hits carry, and how long their text may be.</summary>
    public HitProjection Projection(List<string?>? metadataKeys)
    {
        var keys = metadataKeys ?? [];
        if (keys.Count > Limits.MaxMetadataEntries || keys.Any(k => string.IsNullOrEmpty(k) || k.Length > Limits.MaxMetadataKeyChars))
        {
            throw ApiProblemException.BadRequest(
                $"'metadata' must list at most {Limits.MaxMetadataEntries} non-empty keys of at most {Limits.MaxMetadataKeyChars} characters");
        }

        return new HitProjection(keys.Select(k => k!).ToHashSet(StringComparer.Ordinal), Limits.MaxHitTextChars);
    }

    /// <summary>The media type of a document posted as text: "text" (default), "markdown" or "html".</summary>
    public static string TextMediaType(string? format) => format?.Trim().ToLowerInvariant() switch
    {
        null or "" or "text" => "text/plain",
        "markdown" or "md" => "text/markdown",
        "html" => "text/html",
        var other => throw ApiProblemException.BadRequest($"'format' must be \"text\", \"markdown\" or \"html\", not \"{InputEcho.Of(other)}\""),
    };

    public static string ModeName(RetrievalMode mode) => mode.ToString().ToLowerInvariant();

    private static RetrievalMode ParseMode(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        null or "" or "hybrid" => RetrievalMode.Hybrid,
        "bm25" => RetrievalMode.Bm25,
        "dense" => RetrievalMode.Dense,
        _ => throw ApiProblemException.BadRequest($"'mode' must be \"hybrid\", \"bm25\" or \"dense\", not \"{InputEcho.Of(mode)}\""),
    };

    private SearchFilter Filter(FilterRequest? f, CollectionInfo? collection)
    {
        if (f is null)
        {
            return SearchFilter.None;
        }

        if (f.Metadata is { } metadata)
        {
            CheckMetadataEntries(metadata, "filter.metadata");
        }

        if (f.DocumentIds is { } ids && (ids.Count > Limits.MaxFilterDocumentIds || ids.Any(id => id is null)))
        {
            throw ApiProblemException.BadRequest(
                $"'filter.documentIds' must be at most {Limits.MaxFilterDocumentIds} strings (Rag:Limits:MaxFilterDocumentIds), none of them null");
        }

        if (f.DocumentIdPrefix is { } prefix && (!prefix.EndsWith('/') || prefix.Length > Limits.MaxMetadataValueBytes))
        {
            throw ApiProblemException.BadRequest(
                $"'filter.documentIdPrefix' must be a folder ending with '/' (\"handbook/hr/\"), of at most {Limits.MaxMetadataValueBytes} characters (Rag:Limits:MaxMetadataValueBytes)");
        }

        return new SearchFilter
        {
            DocumentIds = f.DocumentIds?.Select(id => id!).ToList(), Metadata = f.Metadata?.ToDictionary(kv => kv.Key, kv => kv.Value!),
            MetadataAnyOf = ValueLists(f.MetadataAnyOf, "filter.metadataAnyOf"), MetadataNoneOf = ValueLists(f.MetadataNoneOf, "filter.metadataNoneOf"),
            MetadataRanges = f.MetadataRange is { Count: > 0 } ranges
                ? FilterRanges.Parse(ranges, collection ?? throw new InvalidOperationException("a filter with ranges needs its collection's metadata types"))
                : null,
            DocumentIdPrefix = f.DocumentIdPrefix,
            UpdatedAfter = f.UpdatedAfter, UpdatedBefore = f.UpdatedBefore, CreatedAfter = f.CreatedAfter, CreatedBefore = f.CreatedBefore,
        };
    }

    /// <summary>anyOf / noneOf: keys as in metadata filters; per key a non-empty list of at most MaxFilterValues strings.</summary>
    private Dictionary<string, IReadOnlyList<string>>? ValueLists(Dictionary<string, List<string?>?>? lists, string field)
    {
        if (lists is null)
        {
            return null;
        }

        CheckMetadataEntries(lists.ToDictionary(kv => kv.Key, kv => (string?)""), field);
        foreach (var (key, values) in lists)
        {
            if (values is not { Count: > 0 } || values.Count > Limits.MaxFilterValues || values.Any(v => v is null))
            {
                throw ApiProblemException.BadRequest(
                    $"'{field}' value of \"{InputEcho.Of(key)}\" must be a list of 1 to {Limits.MaxFilterValues} strings (Rag:Limits:MaxFilterValues), none of them null");
            }

            if (values.FirstOrDefault(v => System.Text.Encoding.UTF8.GetByteCount(v!) > Limits.MaxMetadataValueBytes) is { } tooLong)
            {
                throw ApiProblemException.BadRequest(
                    $"'{field}' value of \"{InputEcho.Of(key)}\" lists a string of over {Limits.MaxMetadataValueBytes} bytes (Rag:Limits:MaxMetadataValueBytes)");
            }
        }

        return lists.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value!.Select(v => v!).ToList());
    }

    /// <summary>A new collection's metadataTypes: keys as metadata keys, at most MaxMetadataEntries, each "number" or "date".</summary>
    public IReadOnlyDictionary<string, MetadataType> MetadataTypes(Dictionary<string, string?>? types)
    {
        if (types is null)
        {
            return new Dictionary<string, MetadataType>();
        }

        CheckMetadataEntries(types.ToDictionary(kv => kv.Key, kv => (string?)""), "metadataTypes");
        return types.ToDictionary(kv => kv.Key, kv => MetadataValues.ParseName(kv.Value)
            ?? throw ApiProblemException.BadRequest($"'metadataTypes' value of \"{InputEcho.Of(kv.Key)}\" must be \"number\" or \"date\", not \"{InputEcho.Of(kv.Value)}\""));
    }

    /// <summary>A document's metadata against the collection's declared types: each declared key it has must hold a value of the type.</summary>
    public static void CheckTypedMetadata(CollectionInfo collection, IReadOnlyDictionary<string, string> metadata, string field = "metadata")
    {
        foreach (var (key, type) in collection.Settings.MetadataTypes)
        {
            if (metadata.TryGetValue(key, out var value) && !MetadataValues.TryParse(type, value, out _))
            {
                throw ApiProblemException.BadRequest(
                    $"'{field}' value of \"{InputEcho.Of(key)}\" is \"{InputEcho.Of(value)}\", but collection '{collection.Name}' declares \"{key}\" a {MetadataValues.Name(type)}: send {MetadataValues.Expected(type)}");
            }
        }
    }

    public static StageResponse Stage(StageReport s) => new(s.Stage, s.Status, s.Candidates, Math.Round(s.Milliseconds, 3), s.Detail, s.Engine);
}
