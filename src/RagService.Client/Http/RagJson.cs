using System.Text.Json;

namespace RagService.Client;

/// <summary>The service's JSON: camelCase, nulls left out of requests.</summary>
internal static class RagJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
