using System.Text.Json;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Core.Storage;

namespace RagService.Api.Requests;

/// <summary>
/// Turns a filter's metadataRange into <see cref="MetadataRange"/>s. Rules: the key must be declared in the collection's
/// metadataTypes; at least one of gt/gte/lt/lte is given; a number key's bounds are JSON numbers or numeric strings, a
/// date key's are strings (<see cref="MetadataValues"/>). Each refusal names the key and the bound.
/// </summary>
internal static class FilterRanges
{
    private const string Field = "filter.metadataRange";

    public static IReadOnlyList<MetadataRange> Parse(Dictionary<string, RangeRequest?> ranges, CollectionInfo collection) =>
        ranges.Select(kv => Parse(kv.Key, kv.Value, collection)).ToList();

    private static MetadataRange Parse(string key, RangeRequest? bounds, CollectionInfo collection)
    {
        if (!collection.Settings.MetadataTypes.TryGetValue(key, out var type))
        {
            throw ApiProblemException.BadRequest(
                $"'{Field}' key \"{InputEcho.Of(key)}\" is not declared in collection '{collection.Name}''s metadataTypes; ranges need a key declared \"number\" or \"date\" when the collection is created");
        }

        if (bounds is null || (bounds.Gt is null && bounds.Gte is null && bounds.Lt is null && bounds.Lte is null))
        {
            throw ApiProblemException.BadRequest($"'{Field}' of \"{InputEcho.Of(key)}\" needs at least one of gt, gte, lt, lte");
        }

        return new MetadataRange(key, type)
        {
            Gt = Bound(key, type, "gt", bounds.Gt),
            Gte = Bound(key, type, "gte", bounds.Gte),
            Lt = Bound(key, type, "lt", bounds.Lt),
            Lte = Bound(key, type, "lte", bounds.Lte),
        };
    }

    private static double? Bound(string key, MetadataType type, string name, JsonElement? bound)
    {
        if (bound is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number when type == MetadataType.Number => element.GetRawText(),
            _ => null,
        };
        return MetadataValues.TryParse(type, text, out var value)
            ? value
            : throw ApiProblemException.BadRequest(
                $"'{Field}.{InputEcho.Of(key)}.{name}' must be {MetadataValues.Expected(type)} (\"{InputEcho.Of(key)}\" is declared a {MetadataValues.Name(type)})");
    }
}
