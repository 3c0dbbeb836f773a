using System.Text;
using RagService.Core.Storage;

namespace RagService.Api.Mcp;

/// <summary>A document's text as MCP clients read it: its chunks in reading order, joined by blank lines, cut to a bound.</summary>
internal static class DocumentText
{
    public static async Task<(string Text, bool Truncated)> ReadAsync(IKnowledgeStore store, CollectionInfo collection, DocumentRecord document, int maxChars,
        CancellationToken ct)
    {
        var ids = await store.ListChunkIdsAsync(collection, document.Id, 0, Math.Max(1, document.ChunkCount), ct);
        var text = new StringBuilder();
        foreach (var chunk in (await store.GetChunksAsync(ids, ct)).OrderBy(c => c.Ordinal))
        {
            text.Append(text.Length > 0 ? "\n\n" : "").Append(chunk.Text);
            if (text.Length > maxChars)
            {
                return (text.ToString(0, maxChars), true);
            }
        }

        return (text.ToString(), false);
    }
}
