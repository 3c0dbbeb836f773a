namespace RagService.Api.Endpoints;

/// <summary>
/// The one encoding rule for document ids in URLs: the id is the rest of the path after ".../documents/", each
/// '/'-separated segment percent-encoded. The server decodes every segment exactly once from the raw request target
/// (Kestrel's own decoding keeps "%2F" and would let "%252F" alias it), so "x/y" may be sent as x/y or x%2Fy, and the
/// literal id "x%2Fy" is x%252Fy.
/// </summary>
internal static class DocumentIdPath
{
    /// <summary>Segments before the id in /v1/collections/{collection}/documents/{id}.</summary>
    private const int PrefixSegments = 4;

    public static string Encode(string id) => string.Join('/', id.Split('/').Select(Uri.EscapeDataString));

    public static string Location(string collection, string id) => $"/v1/collections/{collection}/documents/{Encode(id)}";

    /// <summary>
    /// The id from a .../documents/{**id}/{suffix} target: every segment but the last, which must be the suffix (so an
    /// id may itself end in the suffix's word: x/access/access is document "x/access"). Null when the target does not end so.
    /// </summary>
    public static string? DecodeBefore(HttpContext http, string suffix)
    {
        var id = Decode(http);
        var cut = id.LastIndexOf('/');
        return cut > 0 && id[(cut + 1)..] == suffix ? id[..cut] : null;
    }

    /// <summary>The id from the raw request target of a matched /v1/collections/{collection}/documents/{**id} route.</summary>
    public static string Decode(HttpContext http)
    {
        var raw = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? http.Request.Path.Value ?? "";
        var end = raw.IndexOfAny(['?', '#']);
        var path = end < 0 ? raw : raw[..end];
        var segments = path.TrimStart('/').Split('/');
        return string.Join('/', segments.Skip(PrefixSegments).Select(Uri.UnescapeDataString));
    }
}
