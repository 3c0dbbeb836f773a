namespace RagService.Api.Mcp;

/// <summary>The "Rag:Mcp" section: bounds of what the MCP server returns in one answer.</summary>
public sealed class McpOptions
{
    public const string Section = "Rag:Mcp";

    /// <summary>At most this many documents are listed by resources/list (over all the collections the key can read).</summary>
    public int MaxListedDocuments { get; set; } = 500;

    /// <summary>A document read through get_document or a rag:// resource is cut to this many characters ("truncated": true).</summary>
    public int MaxDocumentChars { get; set; } = 100_000;

    public void Validate()
    {
        if (MaxListedDocuments < 1)
        {
            throw new InvalidOperationException($"{Section}:MaxListedDocuments must be at least 1, not {MaxListedDocuments}");
        }

        if (MaxDocumentChars < 1)
        {
            throw new InvalidOperationException($"{Section}:MaxDocumentChars must be at least 1, not {MaxDocumentChars}");
        }
    }
}
