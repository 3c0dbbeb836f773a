using System.Text.Json;
using System.Text.Json.Nodes;

namespace RagService.Api.Tests.Docs;

/// <summary>
/// The shape of a JSON value: objects keep their property names, arrays the merged shape of their elements, and every
/// other value becomes its type ("string", "number", "boolean", "null"); a property that differs in type between
/// elements of an array holds both ("number|null"). Two responses have the same shape when a client reading one can read the other.
/// </summary>
internal static class JsonShape
{
    public static JsonNode Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => new JsonObject(value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Name, (JsonNode?)Of(p.Value)))),
        JsonValueKind.Array => new JsonArray(value.EnumerateArray().Select(Of).Aggregate((JsonNode?)null, Merge) is { } merged ? [merged] : []),
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static JsonNode Merge(JsonNode? a, JsonNode b)
    {
        if (a is null)
        {
            return b;
        }

        if (a is JsonObject x && b is JsonObject y)
        {
            var names = x.Select(p => p.Key).Union(y.Select(p => p.Key)).Order(StringComparer.Ordinal);
            return new JsonObject(names.Select(n => KeyValuePair.Create(n, (JsonNode?)(x[n] is { } l && y[n] is { } r ? Merge(l.DeepClone(), r.DeepClone())
                : (x[n] ?? y[n])!.DeepClone()))));
        }

        if (a is JsonArray l2 && b is JsonArray r2)
        {
            return l2.Concat(r2).Where(n => n is not null).Select(n => n!.DeepClone()).Aggregate((JsonNode?)null, Merge) is { } m ? new JsonArray(m) : new JsonArray();
        }

        var types = $"{Kind(a)}|{Kind(b)}".Split('|').Distinct().Order(StringComparer.Ordinal);
        return string.Join('|', types);
    }

    private static string Kind(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValue<string>(),
    };
}
