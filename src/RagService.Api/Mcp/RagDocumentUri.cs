namespace RagService.Api.Mcp;

/// <summary>
/// The MCP resource URI of a document: <c>rag://{collection}/documents/{id}</c>, the id percent-encoded as one segment
/// (a '/' in it becomes %2F), so that the URI template's {id} always matches one segment.
/// </summary>
internal static class RagDocumentUri
{
    public const string Template = "rag://{collection}/documents/{id}";

    public static string Of(string collection, string documentId) => $"rag://{collection}/documents/{Uri.EscapeDataString(documentId)}";
}
